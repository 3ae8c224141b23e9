package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
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

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * ViT patch embedding: an image (or a log-mel "image") [B, Cin, H, W] (NCHW, {@code InputType.convolutional}) is
 * cut into N = (H/P)·(W/P) non-overlapping P×P patches, each flattened and projected by one matrix multiply
 * ([B·N, Cin·P·P] × [Cin·P·P, C] + b), a learnable class token is prepended, learned positions [C, 1+N] are added:
 * output [B, C, 1+N] (recurrent format; token-major memory, see {@link TokenRows}).
 *
 * <p>Token order: class token first, then patches row-major over the patch grid (patch (i, j) is token
 * 1 + i·(W/P) + j). A patch vector is ordered (channel, row, column) — the layout of a PyTorch
 * {@code Conv2d(Cin, C, P, stride=P)} weight flattened to [C, Cin·P·P], so such weights load as {@code W = w.T}.
 *
 * <p>Knobs: {@code patchSize} P, {@code nOut} C, {@code classToken} (default true), {@code hasBias} (default true),
 * {@code initStd} for the class token and positions (normal, default 0.02); {@code weightInit} for the projection.
 * Input height, width and channels come from the input type and must be multiples of P (checked when the graph
 * is built; audio: the data side crops or pads the frames axis to a multiple of P). No mask in or out: all
 * 1+N tokens are real. Dropout and weight noise settings are ignored.
 *
 * <p>Parameters: {@code W} [Cin·P·P, C], {@code b} [C], {@code cls} [C], {@code pos} [C, 1+N]. {@code W} and
 * {@code pos} are weight-decayed, {@code b} and {@code cls} are not (open_clip's rule).
 */
public class PatchEmbedding extends BaseLayer implements EmbeddingParamInitializer.Spec {

    public static final String WEIGHT = "W";
    public static final String BIAS = "b";
    public static final String CLASS_TOKEN = "cls";
    public static final String POSITIONS = LearnedPositions.POSITIONS;

    private int patchSize;
    private long nOut;
    private boolean classToken = true;
    private boolean hasBias = true;
    private double initStd = 0.02;
    private long inputHeight;
    private long inputWidth;
    private long inputChannels;

    /** For JSON. */
    public PatchEmbedding() {
        this.activationFn = new ActivationIdentity();
    }

    protected PatchEmbedding(Builder builder) {
        super(builder);
        this.patchSize = builder.patchSize;
        this.nOut = builder.nOut;
        this.classToken = builder.classToken;
        this.hasBias = builder.hasBias;
        this.initStd = builder.initStd;
        this.activationFn = new ActivationIdentity();
    }

    /** Number of patches N. */
    public long numPatches() {
        return (inputHeight / patchSize) * (inputWidth / patchSize);
    }

    /** Output sequence length: N, plus one for the class token. */
    public long numTokens() {
        return numPatches() + (classToken ? 1 : 0);
    }

    /** Length of a flattened patch, Cin·P·P. */
    public long patchLength() {
        return inputChannels * patchSize * patchSize;
    }

    @Override
    public List<EmbeddingParamInitializer.Param> params() {
        List<EmbeddingParamInitializer.Param> ps = new ArrayList<>();
        ps.add(new EmbeddingParamInitializer.Param(WEIGHT, new long[] {patchLength(), nOut}, 'f',
                EmbeddingParamInitializer.Kind.WEIGHT, EmbeddingParamInitializer.Init.WEIGHT_INIT, 0));
        if (hasBias) {
            ps.add(new EmbeddingParamInitializer.Param(BIAS, new long[] {nOut}, 'c',
                    EmbeddingParamInitializer.Kind.BIAS, EmbeddingParamInitializer.Init.BIAS_INIT, 0));
        }
        if (classToken) {
            ps.add(new EmbeddingParamInitializer.Param(CLASS_TOKEN, new long[] {nOut}, 'c',
                    EmbeddingParamInitializer.Kind.BIAS, EmbeddingParamInitializer.Init.NORMAL, initStd));
        }
        // [C, T] 'f': memory is [T, C] rows, the token-major layout of the activations.
        ps.add(new EmbeddingParamInitializer.Param(POSITIONS, new long[] {nOut, numTokens()}, 'f',
                EmbeddingParamInitializer.Kind.WEIGHT, EmbeddingParamInitializer.Init.NORMAL, initStd));
        return ps;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        validateSizes();
        return LayerRuntimes.wire(new PatchEmbeddingLayer(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return EmbeddingParamInitializer.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeConvolutional in = convolutional(inputType);
        checkSizes(in.getHeight(), in.getWidth(), in.getChannels());
        long n = (in.getHeight() / patchSize) * (in.getWidth() / patchSize);
        return InputType.recurrent(nOut, n + (classToken ? 1 : 0));
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        InputType.InputTypeConvolutional in = convolutional(inputType);
        if (override || inputHeight <= 0) {
            inputHeight = in.getHeight();
            inputWidth = in.getWidth();
            inputChannels = in.getChannels();
        }
        validateSizes();
    }

    private InputType.InputTypeConvolutional convolutional(InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional)) {
            throw new InvalidInputTypeException("PatchEmbedding '" + layerName
                    + "' expects InputType.convolutional(height, width, channels) [B, Cin, H, W], got " + inputType);
        }
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) inputType;
        if (in.getFormat() != CNN2DFormat.NCHW) {
            throw new InvalidInputTypeException("PatchEmbedding '" + layerName + "' takes NCHW images, got "
                    + in.getFormat());
        }
        return in;
    }

    private void validateSizes() {
        checkSizes(inputHeight, inputWidth, inputChannels);
    }

    private void checkSizes(long h, long w, long c) {
        if (patchSize <= 0 || nOut <= 0) {
            throw new IllegalStateException("PatchEmbedding '" + layerName + "': patchSize (" + patchSize
                    + ") and nOut (" + nOut + ") must be positive");
        }
        if (h <= 0 || w <= 0 || c <= 0) {
            throw new IllegalStateException("PatchEmbedding '" + layerName + "': input size unknown (height " + h
                    + ", width " + w + ", channels " + c + "): give the graph InputType.convolutional(h, w, c)");
        }
        if (h % patchSize != 0 || w % patchSize != 0) {
            throw new IllegalStateException("PatchEmbedding '" + layerName + "': input height " + h + " and width "
                    + w + " must be multiples of patchSize " + patchSize + " (" + h + " % " + patchSize + " = "
                    + (h % patchSize) + ", " + w + " % " + patchSize + " = " + (w % patchSize)
                    + "); crop or pad the input on the data side, e.g. the frames axis of a log-mel spectrogram to "
                    + (w / patchSize) * patchSize + " or " + ((w + patchSize - 1) / patchSize) * patchSize);
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null; // takes the NCHW image as it is
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType out = getOutputType(-1, inputType);
        long nParams = EmbeddingParamInitializer.INSTANCE.numParams(this);
        long patches = numPatches() * patchLength();
        return new LayerMemoryReport.Builder(layerName, PatchEmbedding.class, inputType, out)
                .standardMemory(nParams, nParams).workingMemory(0, numPatches() * nOut, 0, patches + numPatches() * nOut)
                .cacheMemory(0, 0).build();
    }

    public int getPatchSize() {
        return patchSize;
    }

    public void setPatchSize(int patchSize) {
        this.patchSize = patchSize;
    }

    public long getNOut() {
        return nOut;
    }

    public void setNOut(long nOut) {
        this.nOut = nOut;
    }

    public boolean isClassToken() {
        return classToken;
    }

    public void setClassToken(boolean classToken) {
        this.classToken = classToken;
    }

    public boolean isHasBias() {
        return hasBias;
    }

    public void setHasBias(boolean hasBias) {
        this.hasBias = hasBias;
    }

    public double getInitStd() {
        return initStd;
    }

    public void setInitStd(double initStd) {
        this.initStd = initStd;
    }

    public long getInputHeight() {
        return inputHeight;
    }

    public void setInputHeight(long inputHeight) {
        this.inputHeight = inputHeight;
    }

    public long getInputWidth() {
        return inputWidth;
    }

    public void setInputWidth(long inputWidth) {
        this.inputWidth = inputWidth;
    }

    public long getInputChannels() {
        return inputChannels;
    }

    public void setInputChannels(long inputChannels) {
        this.inputChannels = inputChannels;
    }

    @Override
    public PatchEmbedding clone() {
        return (PatchEmbedding) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof PatchEmbedding) || !super.equals(o)) {
            return false;
        }
        PatchEmbedding that = (PatchEmbedding) o;
        return patchSize == that.patchSize && nOut == that.nOut && classToken == that.classToken
                && hasBias == that.hasBias && Double.compare(initStd, that.initStd) == 0
                && inputHeight == that.inputHeight && inputWidth == that.inputWidth
                && inputChannels == that.inputChannels;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), patchSize, nOut, classToken, hasBias, initStd, inputHeight, inputWidth,
                inputChannels);
    }

    @Override
    public String toString() {
        return "PatchEmbedding(name=" + layerName + ", patchSize=" + patchSize + ", nOut=" + nOut + ", input="
                + inputChannels + "x" + inputHeight + "x" + inputWidth + ", classToken=" + classToken + ")";
    }

    public static class Builder extends BaseLayer.Builder<Builder> {
        private int patchSize;
        private long nOut;
        private boolean classToken = true;
        private boolean hasBias = true;
        private double initStd = 0.02;

        /** Side P of the square patches; input height and width must be multiples of it. */
        public Builder patchSize(int patchSize) {
            this.patchSize = patchSize;
            return this;
        }

        /** Width C of the token embeddings. */
        public Builder nOut(long nOut) {
            this.nOut = nOut;
            return this;
        }

        /** Prepend a learnable class token (default true): output length 1+N instead of N. */
        public Builder classToken(boolean classToken) {
            this.classToken = classToken;
            return this;
        }

        /** Bias on the patch projection (default true, as a ViT's conv stem; CLIP's has none). */
        public Builder hasBias(boolean hasBias) {
            this.hasBias = hasBias;
            return this;
        }

        /** Standard deviation of the normal init of the class token and positions (default 0.02). */
        public Builder initStd(double initStd) {
            this.initStd = initStd;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public PatchEmbedding build() {
            if (patchSize <= 0) {
                throw new IllegalArgumentException("PatchEmbedding: patchSize must be positive, got " + patchSize);
            }
            if (nOut <= 0) {
                throw new IllegalArgumentException("PatchEmbedding: nOut (token width C) must be positive, got " + nOut);
            }
            if (!(initStd >= 0)) {
                throw new IllegalArgumentException("PatchEmbedding: initStd must be >= 0, got " + initStd);
            }
            return new PatchEmbedding(this);
        }
    }
}
