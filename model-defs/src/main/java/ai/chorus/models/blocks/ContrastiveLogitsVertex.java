package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Objects;

/**
 * CLIP-style similarity logits between two batches of embeddings, as a plain DL4J graph vertex with an explicit
 * backward pass (no SameDiff).
 *
 * <p>Inputs: {@code A} [B, D] and {@code B} [B, D] (e.g. image and text embeddings; row i of A is paired with
 * row i of B). Output: {@code logits = exp(s) * normalize(A) normalize(B)^T}, shape [B, B], where row i scores A_i
 * against every B_j. B may change from call to call (a smaller last minibatch is fine). Masks are not used: the
 * output carries no mask.
 *
 * <p>Absent samples: any further inputs are presence vectors [B, 1] (1 present, 0 absent; e.g. the graph inputs
 * {@code imagePresent}, {@code audioPresent}). Pair i takes part if it is present in all of them (m_i = their
 * product), and the output is then {@code logits + log(m m^T)}: -infinity wherever row i or column j is absent,
 * whatever finite values the absent samples' embeddings hold, and no gradient flows through those entries (the
 * presence inputs get zero gradient). {@link LossMaskedInfoNce} reads the -infinity entries as "not a candidate"
 * and rows without a finite entry as "not a query" ({@link ContrastiveHeads#addMaskedSymmetricInfoNce}).
 *
 * <p>Parameter: {@value #PARAM_LOGIT_SCALE} = s, a scalar [1, 1] in log space, initialised to
 * {@code ln(1 / initialTemperature)} (CLIP: ln(1/0.07) = 2.659). The scale used in the forward pass is
 * {@code exp(min(s, ln(maxScale)))} (CLIP: maxScale = 100). When s is above the clamp its gradient is exactly 0
 * (the forward pass does not depend on it there); at or below the clamp the gradient is the usual one. Unlike
 * CLIP, which clamps the parameter's value after each optimizer step, a forward clamp cannot pull s back: if an
 * update carries s past ln(maxScale) the scale stays at maxScale from then on (CLIP runs saturate there too).
 * s is treated as a bias-like parameter: it gets the bias updater and bias regularization (no weight decay by
 * default, as in open_clip).
 *
 * <p>Row normalisation uses {@code x / sqrt(|x|^2 + normEpsilon^2)} (see {@link RowL2Norm}).
 *
 * <p>Use with {@link ContrastiveHeads#addSymmetricInfoNce} for the symmetric InfoNCE loss.
 */
public class ContrastiveLogitsVertex extends TrainableVertexConfig {

    /** Name of the log-scale parameter (no '_': DL4J's updater splits gradient keys at the last '_'). */
    public static final String PARAM_LOGIT_SCALE = "logitScale";
    public static final double CLIP_INITIAL_TEMPERATURE = 0.07;
    public static final double CLIP_MAX_SCALE = 100.0;
    public static final double DEFAULT_NORM_EPSILON = 1e-6;

    private double initLogitScale = Math.log(1.0 / CLIP_INITIAL_TEMPERATURE);
    private double maxScale = CLIP_MAX_SCALE;
    private double normEpsilon = DEFAULT_NORM_EPSILON;

    /** CLIP defaults: initial temperature 0.07, scale clamped at 100, normalisation eps 1e-6. */
    public ContrastiveLogitsVertex() {
    }

    private ContrastiveLogitsVertex(Builder b) {
        this.initLogitScale = b.initLogitScale;
        this.maxScale = b.maxScale;
        this.normEpsilon = b.normEpsilon;
        this.updater = b.updater;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** ln(maxScale): the largest log scale the forward pass uses. */
    public double logScaleClamp() {
        return Math.log(maxScale);
    }

    @Override
    protected boolean isBiasParam(String paramName) {
        return true;
    }

    @Override
    public List<String> paramNames() {
        return List.of(PARAM_LOGIT_SCALE);
    }

    @Override
    public long numParams(boolean backprop) {
        return 1;
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return Integer.MAX_VALUE; // A, B, then any number of presence vectors
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        inheritFromGraph(graph, name);
        return new ContrastiveLogitsVertexImpl(graph, name, idx, this, paramsView, initializeParams, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length < 2) {
            throw new InvalidInputTypeException("ContrastiveLogitsVertex needs inputs (A, B[, presence...]), got "
                    + vertexInputs.length);
        }
        for (InputType t : vertexInputs) {
            if (t.getType() != InputType.Type.FF) {
                throw new InvalidInputTypeException("ContrastiveLogitsVertex takes feed-forward [B, D] embeddings and"
                        + " [B, 1] presence vectors, got " + t + " (pool sequences first, e.g. GlobalPoolingLayer or a"
                        + " last-token vertex)");
            }
        }
        for (int i = 2; i < vertexInputs.length; i++) {
            long size = ((InputType.InputTypeFeedForward) vertexInputs[i]).getSize();
            if (size != 1) {
                throw new InvalidInputTypeException("ContrastiveLogitsVertex input " + i + " must be a [B, 1] presence"
                        + " vector (1 present, 0 absent), got size " + size);
            }
        }
        long da = ((InputType.InputTypeFeedForward) vertexInputs[0]).getSize();
        long db = ((InputType.InputTypeFeedForward) vertexInputs[1]).getSize();
        if (da != db) {
            throw new InvalidInputTypeException("ContrastiveLogitsVertex inputs must have the same embedding size, got "
                    + da + " and " + db + " (add a projection layer to the smaller tower)");
        }
        // The output is [B, B]: its width is the minibatch size, unknown until run time.
        return InputType.feedForward(-1);
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = InputType.feedForward(-1);
        long d = inputTypes.length > 0 ? inputTypes[0].arrayElementsPerExample() : 0;
        // Per example: two normalised copies of the inputs plus two norms are kept for backward.
        return new LayerMemoryReport.Builder(name, ContrastiveLogitsVertex.class, inputTypes[0], out)
                .standardMemory(1, 0)
                .workingMemory(0, 2 * d + 2, 0, 2 * d + 2)
                .cacheMemory(0, 0)
                .build();
    }

    @Override
    public ContrastiveLogitsVertex clone() {
        ContrastiveLogitsVertex c = new ContrastiveLogitsVertex();
        c.initLogitScale = initLogitScale;
        c.maxScale = maxScale;
        c.normEpsilon = normEpsilon;
        return copyTrainingFieldsTo(c);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof ContrastiveLogitsVertex)) {
            return false;
        }
        ContrastiveLogitsVertex v = (ContrastiveLogitsVertex) o;
        return Double.compare(initLogitScale, v.initLogitScale) == 0 && Double.compare(maxScale, v.maxScale) == 0
                && Double.compare(normEpsilon, v.normEpsilon) == 0 && trainingFieldsEqual(v);
    }

    @Override
    public int hashCode() {
        return Objects.hash(initLogitScale, maxScale, normEpsilon, trainingFieldsHash());
    }

    @Override
    public String toString() {
        return "ContrastiveLogitsVertex(initLogitScale=" + initLogitScale + ", maxScale=" + maxScale
                + ", normEpsilon=" + normEpsilon + ")";
    }

    public double getInitLogitScale() {
        return initLogitScale;
    }

    public void setInitLogitScale(double initLogitScale) {
        this.initLogitScale = initLogitScale;
    }

    public double getMaxScale() {
        return maxScale;
    }

    public void setMaxScale(double maxScale) {
        this.maxScale = maxScale;
    }

    public double getNormEpsilon() {
        return normEpsilon;
    }

    public void setNormEpsilon(double normEpsilon) {
        this.normEpsilon = normEpsilon;
    }

    /** Builder with validated knobs. */
    public static final class Builder {
        private double initLogitScale = Math.log(1.0 / CLIP_INITIAL_TEMPERATURE);
        private double maxScale = CLIP_MAX_SCALE;
        private double normEpsilon = DEFAULT_NORM_EPSILON;
        private org.nd4j.linalg.learning.config.IUpdater updater;

        /** Initial softmax temperature tau (> 0): s starts at ln(1/tau). CLIP/open_clip: 0.07. */
        public Builder initialTemperature(double tau) {
            if (!(tau > 0) || Double.isInfinite(tau)) {
                throw new IllegalArgumentException("initialTemperature must be a positive finite number, got " + tau);
            }
            this.initLogitScale = Math.log(1.0 / tau);
            return this;
        }

        /** Initial log scale s directly (the parameter's value); exp(s) multiplies the cosine similarities. */
        public Builder initialLogitScale(double s) {
            if (!Double.isFinite(s)) {
                throw new IllegalArgumentException("initialLogitScale must be finite, got " + s);
            }
            this.initLogitScale = s;
            return this;
        }

        /**
         * Upper bound of exp(s) (CLIP: 100). Larger values let the softmax become sharper but make training less
         * stable; CLIP's authors added the clamp after seeing instability.
         */
        public Builder maxScale(double maxScale) {
            if (!(maxScale > 0) || Double.isInfinite(maxScale)) {
                throw new IllegalArgumentException("maxScale must be a positive finite number, got " + maxScale);
            }
            this.maxScale = maxScale;
            return this;
        }

        /** Smoothing eps of the row normalisation; small against typical embedding norms. */
        public Builder normEpsilon(double eps) {
            if (!(eps > 0) || eps > 1e-2) {
                throw new IllegalArgumentException("normEpsilon must be in (0, 1e-2], got " + eps
                        + " (larger values shrink short embeddings and bias the cosine similarity)");
            }
            this.normEpsilon = eps;
            return this;
        }

        /** Updater for s; default: inherited from the graph (see {@link TrainableVertexConfig}). */
        public Builder updater(org.nd4j.linalg.learning.config.IUpdater updater) {
            this.updater = updater;
            return this;
        }

        public ContrastiveLogitsVertex build() {
            if (initLogitScale > Math.log(maxScale)) {
                throw new IllegalArgumentException("initial scale exp(" + initLogitScale + ") = "
                        + Math.exp(initLogitScale) + " is above maxScale " + maxScale
                        + ": s would start clamped, with zero gradient");
            }
            return new ContrastiveLogitsVertex(this);
        }
    }
}
