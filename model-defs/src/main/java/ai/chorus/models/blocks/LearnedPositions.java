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
 * Learned positional embeddings as a layer: [B, C, T] + P[C, T] → [B, C, T]. Used for the temporal positions of
 * a video model (frames after {@link UnfoldTimeFromBatchVertex}), so that the order of frames is visible to the
 * temporal transformer ("moving left" vs "moving right"); {@link PatchEmbedding} and {@link TokenEmbedding}
 * reuse its math ({@link LearnedPositionsLayer#addPositions}, {@link LearnedPositionsLayer#positionGradient}).
 *
 * <p>Knobs: {@code nOut} = C (taken from the recurrent input type if unset), {@code maxLength} = number of learned
 * positions (taken from the input type's time-series length if unset; inputs may be shorter and then use the
 * first T positions), {@code initStd} (normal init, default 0.02). Masks pass through unchanged; the gradient at
 * padded positions is dropped. The parameter {@code pos} [C, maxLength] is weight-decayed like a matrix. Dropout
 * and weight-noise settings are ignored.
 */
public class LearnedPositions extends BaseLayer implements EmbeddingParamInitializer.Spec {

    public static final String POSITIONS = "pos";

    private long nOut;
    private long maxLength;
    private double initStd = 0.02;

    /** For JSON. */
    public LearnedPositions() {
        this.activationFn = new ActivationIdentity();
    }

    protected LearnedPositions(Builder builder) {
        super(builder);
        this.nOut = builder.nOut;
        this.maxLength = builder.maxLength;
        this.initStd = builder.initStd;
        this.activationFn = new ActivationIdentity();
    }

    @Override
    public List<EmbeddingParamInitializer.Param> params() {
        return List.of(new EmbeddingParamInitializer.Param(POSITIONS, new long[] {nOut, maxLength}, 'f',
                EmbeddingParamInitializer.Kind.WEIGHT, EmbeddingParamInitializer.Init.NORMAL, initStd));
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        validate();
        return LayerRuntimes.wire(new LearnedPositionsLayer(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return EmbeddingParamInitializer.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeRecurrent in = recurrent(inputType);
        if (nOut > 0 && in.getSize() != nOut) {
            throw new InvalidInputTypeException("LearnedPositions '" + layerName + "': input has " + in.getSize()
                    + " channels but nOut = " + nOut);
        }
        if (maxLength > 0 && in.getTimeSeriesLength() > maxLength) {
            throw new InvalidInputTypeException("LearnedPositions '" + layerName + "': input length "
                    + in.getTimeSeriesLength() + " exceeds maxLength = " + maxLength + " learned positions");
        }
        return InputType.recurrent(in.getSize(), in.getTimeSeriesLength());
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        InputType.InputTypeRecurrent in = recurrent(inputType);
        if (nOut <= 0 || override) {
            nOut = in.getSize();
        }
        if (maxLength <= 0 && in.getTimeSeriesLength() > 0) {
            maxLength = in.getTimeSeriesLength();
        }
    }

    private InputType.InputTypeRecurrent recurrent(InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeRecurrent)) {
            throw new InvalidInputTypeException("LearnedPositions '" + layerName
                    + "' expects a recurrent [B, C, T] input, got " + inputType);
        }
        return (InputType.InputTypeRecurrent) inputType;
    }

    private void validate() {
        if (nOut <= 0 || maxLength <= 0) {
            throw new IllegalStateException("LearnedPositions '" + layerName + "': nOut (" + nOut + ") and maxLength ("
                    + maxLength + ") must be positive: set them, or give the graph a recurrent input type with a "
                    + "known time-series length");
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        long perExample = nOut * maxLength;
        return new LayerMemoryReport.Builder(layerName, LearnedPositions.class, inputType, inputType)
                .standardMemory(nOut * maxLength, 0).workingMemory(0, 0, 0, perExample)
                .cacheMemory(0, 0).build();
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

    @Override
    public LearnedPositions clone() {
        return (LearnedPositions) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LearnedPositions) || !super.equals(o)) {
            return false;
        }
        LearnedPositions that = (LearnedPositions) o;
        return nOut == that.nOut && maxLength == that.maxLength && Double.compare(initStd, that.initStd) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), nOut, maxLength, initStd);
    }

    @Override
    public String toString() {
        return "LearnedPositions(name=" + layerName + ", nOut=" + nOut + ", maxLength=" + maxLength + ")";
    }

    public static class Builder extends BaseLayer.Builder<Builder> {
        private long nOut;
        private long maxLength;
        private double initStd = 0.02;

        /** Channels C; default: from the input type. */
        public Builder nOut(long nOut) {
            this.nOut = nOut;
            return this;
        }

        /** Number of learned positions; default: the input type's time-series length. */
        public Builder maxLength(long maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** Standard deviation of the normal init (default 0.02). */
        public Builder initStd(double initStd) {
            this.initStd = initStd;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public LearnedPositions build() {
            if (nOut < 0 || maxLength < 0 || !(initStd >= 0)) {
                throw new IllegalArgumentException("LearnedPositions: nOut (" + nOut + ") and maxLength (" + maxLength
                        + ") must be >= 0 (0 = from the input type) and initStd (" + initStd + ") >= 0");
            }
            return new LearnedPositions(this);
        }
    }
}
