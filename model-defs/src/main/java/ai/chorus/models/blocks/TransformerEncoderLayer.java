package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Objects;

/**
 * Pre-LayerNorm transformer encoder block, as in CLIP / ViT, as a plain DL4J layer with an explicit backward
 * pass (runtime: {@link TransformerEncoderLayerImpl}):
 * <pre>
 *   x = x + Dropout(MHA(LN1(x)))
 *   x = x + Dropout(MLP(LN2(x)))        MLP = Linear(C, F) -> GELU (tanh approximation) -> Linear(F, C)
 * </pre>
 * with F = round(mlpRatio * C).
 *
 * <p><b>Shapes.</b> Input and output are DL4J recurrent activations [B, C, T] (NCW; NWC input is rejected).
 * The output is returned token-major (a [B, T, C] c-order buffer seen as [B, C, T], see {@link TokenRows}), so a
 * stack of these layers passes activations along without copies.
 *
 * <p><b>Mask.</b> A padding mask [B, T] (1 = real, 0 = padding), set the DL4J way (feature mask of the graph /
 * network), masks padded positions as attention keys; the outputs at padded positions are set to 0 and the mask
 * is passed on unchanged to the next layer. Padded positions never influence real ones, forward or backward.
 *
 * <p><b>Knobs.</b> {@code nIn} = C (width; nOut is always C), {@code nHeads} (must divide C), {@code mlpRatio}
 * (default 4), {@code dropout} (default 0: probability of ZEROING, PyTorch convention, on both residual
 * branches; unrelated to DL4J's {@code dropOut(retainProb)}, which as for every DL4J layer would drop the layer
 * input), {@code causal} (default false: when true, position t attends to positions &lt;= t, as in CLIP's text
 * tower), {@code layerNormEps} (default 1e-5). Weight init (default XAVIER), bias init, updater and
 * regularization come from the usual DL4J layer/global configuration; see
 * {@link TransformerEncoderParamInitializer} for the parameters ("ln1g", "Wq", ...).
 */
public class TransformerEncoderLayer extends FeedForwardLayer {

    private int nHeads;
    private double mlpRatio = 4.0;
    private double dropout = 0.0;
    private boolean causal = false;
    private double layerNormEps = LayerNormOps.DEFAULT_EPS;

    /** For JSON; use {@link Builder}. */
    public TransformerEncoderLayer() {
    }

    private TransformerEncoderLayer(Builder b) {
        super(b);
        this.nHeads = b.nHeads;
        this.mlpRatio = b.mlpRatio;
        this.dropout = b.dropout;
        this.causal = b.causal;
        this.layerNormEps = b.layerNormEps;
        this.nOut = this.nIn;
        initializeConstraints(b);
    }

    /** F, the hidden width of the MLP. */
    public long hiddenSize() {
        return Math.round(mlpRatio * nIn);
    }

    /** Checks the knobs against each other; called when the width is known. */
    void validate() {
        if (nHeads <= 0) {
            throw new IllegalStateException(name() + ": nHeads must be positive, got " + nHeads);
        }
        if (nIn > 0 && nIn % nHeads != 0) {
            throw new IllegalStateException(name() + ": width nIn=" + nIn + " must be divisible by nHeads=" + nHeads
                    + " (each head gets nIn/nHeads channels)");
        }
        if (!(mlpRatio > 0) || (nIn > 0 && hiddenSize() < 1)) {
            throw new IllegalStateException(name() + ": mlpRatio must give an MLP width >= 1, got " + mlpRatio);
        }
        ResidualDropout.validate(dropout);
        if (!(layerNormEps > 0)) {
            throw new IllegalStateException(name() + ": layerNormEps must be positive, got " + layerNormEps);
        }
    }

    private String name() {
        return "TransformerEncoderLayer" + (layerName == null ? "" : " '" + layerName + "'");
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners,
                                                       int layerIndex, INDArray layerParamsView,
                                                       boolean initializeParams, DataType networkDataType) {
        validate();
        if (nIn <= 0) {
            throw new IllegalStateException(name() + ": width nIn not set");
        }
        return LayerRuntimes.wire(new TransformerEncoderLayerImpl(conf, networkDataType), conf, trainingListeners,
                layerIndex, layerParamsView, initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return TransformerEncoderParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        InputType.InputTypeRecurrent r = requireNcw(inputType);
        return InputType.recurrent(nIn > 0 ? nIn : r.getSize(), r.getTimeSeriesLength(), RNNFormat.NCW);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        InputType.InputTypeRecurrent r = requireNcw(inputType);
        if (nIn <= 0 || override) {
            nIn = r.getSize();
        }
        nOut = nIn;
        validate();
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        requireNcw(inputType);
        return null;
    }

    private InputType.InputTypeRecurrent requireNcw(InputType inputType) {
        if (inputType == null || inputType.getType() != InputType.Type.RNN) {
            throw new IllegalStateException(name() + " takes sequences (InputType.recurrent(C, T), shape [B, C, T]), "
                    + "got " + inputType);
        }
        InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) inputType;
        if (r.getFormat() != null && r.getFormat() != RNNFormat.NCW) {
            throw new IllegalStateException(name() + " takes NCW sequences [B, C, T], got format " + r.getFormat());
        }
        return r;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType out = getOutputType(-1, inputType);
        long t = Math.max(1, ((InputType.InputTypeRecurrent) inputType).getTimeSeriesLength());
        long c = nIn;
        long f = hiddenSize();
        // Kept per example for backward: 2 LN (xhat + output), QKV, attention weights (H*T*T), head outputs,
        // MLP pre-activation, sigmoid and activation.
        long keptPerEx = t * (4 * c + 3 * c + c + 3 * f) + (long) nHeads * t * t;
        long workingPerEx = t * (4 * c + f) + (long) nHeads * t * t;
        return new LayerMemoryReport.Builder(layerName, TransformerEncoderLayer.class, inputType, out)
                .standardMemory(initializer().numParams(this), 0)
                .workingMemory(0, workingPerEx, 0, keptPerEx + workingPerEx)
                .cacheMemory(0, 0)
                .build();
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    // ---- bean accessors (JSON) ----

    public int getNHeads() {
        return nHeads;
    }

    public void setNHeads(int nHeads) {
        this.nHeads = nHeads;
    }

    public double getMlpRatio() {
        return mlpRatio;
    }

    public void setMlpRatio(double mlpRatio) {
        this.mlpRatio = mlpRatio;
    }

    public double getDropout() {
        return dropout;
    }

    public void setDropout(double dropout) {
        this.dropout = dropout;
    }

    public boolean isCausal() {
        return causal;
    }

    public void setCausal(boolean causal) {
        this.causal = causal;
    }

    public double getLayerNormEps() {
        return layerNormEps;
    }

    public void setLayerNormEps(double layerNormEps) {
        this.layerNormEps = layerNormEps;
    }

    @Override
    public TransformerEncoderLayer clone() {
        // Layer.clone() is a field-by-field copy plus deep copies of the inherited updater/regularization/dropout.
        return (TransformerEncoderLayer) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof TransformerEncoderLayer) || !super.equals(o)) {
            return false;
        }
        TransformerEncoderLayer l = (TransformerEncoderLayer) o;
        return nHeads == l.nHeads && Double.compare(mlpRatio, l.mlpRatio) == 0
                && Double.compare(dropout, l.dropout) == 0 && causal == l.causal
                && Double.compare(layerNormEps, l.layerNormEps) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), nHeads, mlpRatio, dropout, causal, layerNormEps);
    }

    @Override
    public String toString() {
        return "TransformerEncoderLayer(name=" + layerName + ", nIn=" + nIn + ", nHeads=" + nHeads + ", mlpRatio="
                + mlpRatio + ", dropout=" + dropout + ", causal=" + causal + ", layerNormEps=" + layerNormEps + ")";
    }

    /** Builder; {@code nIn} (the width C) and {@code nHeads} are required. */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        private int nHeads;
        private double mlpRatio = 4.0;
        private double dropout = 0.0;
        private boolean causal = false;
        private double layerNormEps = LayerNormOps.DEFAULT_EPS;

        /** Number of attention heads; must divide the width. */
        public Builder nHeads(int nHeads) {
            if (nHeads <= 0) {
                throw new IllegalArgumentException("nHeads must be positive, got " + nHeads);
            }
            this.nHeads = nHeads;
            return this;
        }

        /** MLP width as a multiple of the layer width (default 4, as CLIP/ViT). */
        public Builder mlpRatio(double mlpRatio) {
            if (!(mlpRatio > 0) || Double.isInfinite(mlpRatio)) {
                throw new IllegalArgumentException("mlpRatio must be positive, got " + mlpRatio);
            }
            this.mlpRatio = mlpRatio;
            return this;
        }

        /**
         * Residual dropout: probability of ZEROING an element of each branch output (PyTorch convention), in
         * [0, 1). Default 0 (CLIP trains without it).
         */
        public Builder dropout(double dropout) {
            ResidualDropout.validate(dropout);
            this.dropout = dropout;
            return this;
        }

        /** Causal self-attention (each position sees itself and earlier ones), e.g. CLIP's text tower. */
        public Builder causal(boolean causal) {
            this.causal = causal;
            return this;
        }

        /** LayerNorm epsilon (default 1e-5, PyTorch's). */
        public Builder layerNormEps(double eps) {
            if (!(eps > 0)) {
                throw new IllegalArgumentException("layerNormEps must be positive, got " + eps);
            }
            this.layerNormEps = eps;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public TransformerEncoderLayer build() {
            if (nHeads <= 0) {
                throw new IllegalStateException("nHeads is required (e.g. 4 for width 256)");
            }
            if (nOut > 0 && nIn > 0 && nOut != nIn) {
                throw new IllegalStateException("A transformer block keeps its width: nOut (" + nOut
                        + ") must equal nIn (" + nIn + "); set only nIn");
            }
            TransformerEncoderLayer l = new TransformerEncoderLayer(this);
            l.validate();
            return l;
        }
    }
}
