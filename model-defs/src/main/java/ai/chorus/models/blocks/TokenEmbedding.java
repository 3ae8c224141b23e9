package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * Token embedding with learned positions: token ids [B, 1, T] ({@code InputType.recurrent(1, T)}) or [B, T]
 * ({@code InputType.feedForward(T)}) → lookup in a table [V, C] + positions [C, T] → [B, C, T] (recurrent format;
 * token-major memory, see {@link TokenRows}).
 *
 * <p>Ids arrive as floating-point values, because DL4J feeds every feature array in the network's data type;
 * each must be an integer in [0, V) (checked every forward, with the offending sample and position named). Float32
 * holds integers exactly up to 2^24, far above any vocabulary used here.
 *
 * <p>Masks: the padding mask [B, T] (1 real, 0 padding) comes with the data and passes through unchanged. Outputs
 * at padded positions are the embedding of whatever id sits there (usually the pad id 0); their gradient is dropped
 * in the backward pass, so padding never trains the table row of the pad id nor the positions past a sample's end.
 *
 * <p>Knobs: {@code vocabSize} V (required, &gt; 1), {@code nOut} C, {@code maxLength} (number of learned positions;
 * default the input type's T; shorter inputs use the first T), {@code initStd} for the table (normal, default
 * 0.02) and {@code positionInitStd} for the positions (default 0.01), CLIP's inits. Unlike DL4J's
 * {@code EmbeddingSequenceLayer}, the vocabulary size is never taken from the input type (which would make it 1).
 * Parameters {@code table} [V, C] and {@code pos} [C, maxLength] are both weight-decayed (open_clip's rule).
 * Dropout and weight-noise settings are ignored.
 */
public class TokenEmbedding extends BaseLayer implements EmbeddingParamInitializer.Spec {

    public static final String TABLE = "table";
    public static final String POSITIONS = LearnedPositions.POSITIONS;

    private long vocabSize;
    private long nOut;
    private long maxLength;
    private double initStd = 0.02;
    private double positionInitStd = 0.01;

    /** For JSON. */
    public TokenEmbedding() {
        this.activationFn = new ActivationIdentity();
    }

    protected TokenEmbedding(Builder builder) {
        super(builder);
        this.vocabSize = builder.vocabSize;
        this.nOut = builder.nOut;
        this.maxLength = builder.maxLength;
        this.initStd = builder.initStd;
        this.positionInitStd = builder.positionInitStd;
        this.activationFn = new ActivationIdentity();
    }

    @Override
    public List<EmbeddingParamInitializer.Param> params() {
        return List.of(
                new EmbeddingParamInitializer.Param(TABLE, new long[] {vocabSize, nOut}, 'c',
                        EmbeddingParamInitializer.Kind.WEIGHT, EmbeddingParamInitializer.Init.NORMAL, initStd),
                new EmbeddingParamInitializer.Param(POSITIONS, new long[] {nOut, maxLength}, 'f',
                        EmbeddingParamInitializer.Kind.WEIGHT, EmbeddingParamInitializer.Init.NORMAL,
                        positionInitStd));
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        validate();
        return LayerRuntimes.wire(new TokenEmbeddingLayer(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return EmbeddingParamInitializer.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        long t = inputLength(inputType);
        if (maxLength > 0 && t > maxLength) {
            throw new InvalidInputTypeException("TokenEmbedding '" + layerName + "': input length " + t
                    + " exceeds maxLength = " + maxLength + " learned positions");
        }
        return InputType.recurrent(nOut, t > 0 ? t : maxLength);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        long t = inputLength(inputType);
        if (maxLength <= 0 && t > 0) {
            maxLength = t;
        }
    }

    /** T from recurrent(1, T) or feedForward(T); -1 if unknown. */
    private long inputLength(InputType inputType) {
        if (inputType instanceof InputType.InputTypeRecurrent) {
            InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) inputType;
            if (r.getSize() != 1) {
                throw new InvalidInputTypeException("TokenEmbedding '" + layerName
                        + "' takes one id per position: InputType.recurrent(1, T), got size " + r.getSize());
            }
            return r.getTimeSeriesLength();
        }
        if (inputType instanceof InputType.InputTypeFeedForward) {
            return ((InputType.InputTypeFeedForward) inputType).getSize();
        }
        throw new InvalidInputTypeException("TokenEmbedding '" + layerName
                + "' expects ids as InputType.recurrent(1, T) or InputType.feedForward(T), got " + inputType);
    }

    private void validate() {
        checkVocab(vocabSize, layerName);
        if (nOut <= 0 || maxLength <= 0) {
            throw new IllegalStateException("TokenEmbedding '" + layerName + "': nOut (" + nOut + ") and maxLength ("
                    + maxLength + ") must be positive: set maxLength, or give the graph an input type with a known "
                    + "sequence length");
        }
    }

    private static void checkVocab(long vocabSize, String name) {
        if (vocabSize <= 1) {
            throw new IllegalArgumentException("TokenEmbedding '" + name + "': vocabSize must be > 1, got " + vocabSize
                    + ". Set it to the tokenizer's vocabulary size; it is never inferred from the input type "
                    + "(DL4J's EmbeddingSequenceLayer silently takes 1 from InputType.recurrent(1, T))");
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null; // ids as they are: [B, 1, T] or [B, T]
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType out = getOutputType(-1, inputType);
        long nParams = vocabSize * nOut + nOut * maxLength;
        return new LayerMemoryReport.Builder(layerName, TokenEmbedding.class, inputType, out)
                .standardMemory(nParams, nParams).workingMemory(0, 0, 0, maxLength * nOut)
                .cacheMemory(0, 0).build();
    }

    public long getVocabSize() {
        return vocabSize;
    }

    public void setVocabSize(long vocabSize) {
        this.vocabSize = vocabSize;
    }

    public long getNOut() {
        return nOut;
    }

    public void setNOut(long nOut) {
        this.nOut = nOut;
    }

    public long getMaxLength() {
        return maxLength;
    }

    public void setMaxLength(long maxLength) {
        this.maxLength = maxLength;
    }

    public double getInitStd() {
        return initStd;
    }

    public void setInitStd(double initStd) {
        this.initStd = initStd;
    }

    public double getPositionInitStd() {
        return positionInitStd;
    }

    public void setPositionInitStd(double positionInitStd) {
        this.positionInitStd = positionInitStd;
    }

    @Override
    public TokenEmbedding clone() {
        return (TokenEmbedding) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TokenEmbedding) || !super.equals(o)) {
            return false;
        }
        TokenEmbedding that = (TokenEmbedding) o;
        return vocabSize == that.vocabSize && nOut == that.nOut && maxLength == that.maxLength
                && Double.compare(initStd, that.initStd) == 0
                && Double.compare(positionInitStd, that.positionInitStd) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), vocabSize, nOut, maxLength, initStd, positionInitStd);
    }

    @Override
    public String toString() {
        return "TokenEmbedding(name=" + layerName + ", vocabSize=" + vocabSize + ", nOut=" + nOut + ", maxLength="
                + maxLength + ")";
    }

    public static class Builder extends BaseLayer.Builder<Builder> {
        private long vocabSize;
        private long nOut;
        private long maxLength;
        private double initStd = 0.02;
        private double positionInitStd = 0.01;

        /** Vocabulary size V (required, &gt; 1): ids must lie in [0, V). */
        public Builder vocabSize(long vocabSize) {
            this.vocabSize = vocabSize;
            return this;
        }

        /** Width C of the token embeddings. */
        public Builder nOut(long nOut) {
            this.nOut = nOut;
            return this;
        }

        /** Number of learned positions (the context length); default: the input type's sequence length. */
        public Builder maxLength(long maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** Standard deviation of the normal init of the table (default 0.02). */
        public Builder initStd(double initStd) {
            this.initStd = initStd;
            return this;
        }

        /** Standard deviation of the normal init of the positions (default 0.01). */
        public Builder positionInitStd(double positionInitStd) {
            this.positionInitStd = positionInitStd;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public TokenEmbedding build() {
            checkVocab(vocabSize, layerName);
            if (nOut <= 0) {
                throw new IllegalArgumentException("TokenEmbedding: nOut (token width C) must be positive, got " + nOut);
            }
            if (maxLength < 0 || !(initStd >= 0) || !(positionInitStd >= 0)) {
                throw new IllegalArgumentException("TokenEmbedding: maxLength (" + maxLength + ") must be >= 0 "
                        + "(0 = from the input type), initStd (" + initStd + ") and positionInitStd ("
                        + positionInitStd + ") >= 0");
            }
            return new TokenEmbedding(this);
        }
    }
}
