package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Objects;

/**
 * Gated fusion of two same-size vectors, as a plain DL4J graph vertex with an explicit backward pass.
 *
 * <p>Inputs: {@code a} [B, D] (e.g. a modality's own representation) and {@code attended} [B, D] (e.g. what it
 * gathered from another modality by cross-attention, pooled). Output [B, D]:
 * <pre>
 *   gate  = sigmoid([a ; attended] W + b)        W [2D, D], b [D]
 *   fused = gate * a + (1 - gate) * attended
 * </pre>
 * The gate is per example and per feature. Parameters {@value #PARAM_W} (weights: regularized, e.g. weight decay)
 * and {@value #PARAM_B} (bias-like: bias updater and bias regularization). W's first D rows act on {@code a},
 * the last D on {@code attended}. With {@code gateBiasInit = 0} the gate starts near 0.5 (an average of the two);
 * a positive value starts closer to {@code a} (e.g. +2: gate ~0.88), which keeps a pretrained single-modality
 * path dominant early in fine-tuning.
 *
 * <p>A per-example mask, if any arrives with the inputs, is passed through unchanged (from the first input that
 * has one).
 */
public class GatedFusionVertex extends TrainableVertexConfig {

    public static final String PARAM_W = "W";
    public static final String PARAM_B = "b";

    private long size;
    private WeightInit weightInit = WeightInit.XAVIER;
    private double gateBiasInit = 0.0;

    /** For JSON; use {@link #builder()}. */
    public GatedFusionVertex() {
    }

    private GatedFusionVertex(Builder b) {
        this.size = b.size;
        this.weightInit = b.weightInit;
        this.gateBiasInit = b.gateBiasInit;
        this.updater = b.updater;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    protected boolean isBiasParam(String paramName) {
        return PARAM_B.equals(paramName);
    }

    @Override
    public List<String> paramNames() {
        return List.of(PARAM_W, PARAM_B);
    }

    @Override
    public long numParams(boolean backprop) {
        return 2 * size * size + size;
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        if (size <= 0) {
            throw new IllegalStateException("GatedFusionVertex '" + name + "': size not set (use builder().size(D))");
        }
        inheritFromGraph(graph, name);
        return new GatedFusionVertexImpl(graph, name, idx, this, paramsView, initializeParams, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 2) {
            throw new InvalidInputTypeException("GatedFusionVertex needs 2 inputs (a, attended), got "
                    + vertexInputs.length);
        }
        for (InputType t : vertexInputs) {
            if (t.getType() != InputType.Type.FF || ((InputType.InputTypeFeedForward) t).getSize() != size) {
                throw new InvalidInputTypeException("GatedFusionVertex(size=" + size
                        + ") takes two feed-forward [B, " + size + "] inputs, got " + t);
            }
        }
        return InputType.feedForward(size);
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        // Per example kept for backward: the gate and a - attended.
        return new LayerMemoryReport.Builder(name, GatedFusionVertex.class, inputTypes[0], InputType.feedForward(size))
                .standardMemory(numParams(true), 0)
                .workingMemory(0, size, 0, 2 * size)
                .cacheMemory(0, 0)
                .build();
    }

    @Override
    public GatedFusionVertex clone() {
        GatedFusionVertex c = new GatedFusionVertex();
        c.size = size;
        c.weightInit = weightInit;
        c.gateBiasInit = gateBiasInit;
        return copyTrainingFieldsTo(c);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof GatedFusionVertex)) {
            return false;
        }
        GatedFusionVertex v = (GatedFusionVertex) o;
        return size == v.size && weightInit == v.weightInit && Double.compare(gateBiasInit, v.gateBiasInit) == 0
                && trainingFieldsEqual(v);
    }

    @Override
    public int hashCode() {
        return Objects.hash(size, weightInit, gateBiasInit, trainingFieldsHash());
    }

    @Override
    public String toString() {
        return "GatedFusionVertex(size=" + size + ", weightInit=" + weightInit + ", gateBiasInit=" + gateBiasInit + ")";
    }

    public long getSize() {
        return size;
    }

    public void setSize(long size) {
        this.size = size;
    }

    public WeightInit getWeightInit() {
        return weightInit;
    }

    public void setWeightInit(WeightInit weightInit) {
        this.weightInit = weightInit;
    }

    public double getGateBiasInit() {
        return gateBiasInit;
    }

    public void setGateBiasInit(double gateBiasInit) {
        this.gateBiasInit = gateBiasInit;
    }

    /** Builder with validated knobs. */
    public static final class Builder {
        private long size;
        private WeightInit weightInit = WeightInit.XAVIER;
        private double gateBiasInit = 0.0;
        private org.nd4j.linalg.learning.config.IUpdater updater;

        /** D, the size of both inputs and of the output. */
        public Builder size(long size) {
            if (size <= 0) {
                throw new IllegalArgumentException("size must be positive, got " + size);
            }
            this.size = size;
            return this;
        }

        /** Initialisation of W (fan-in 2D, fan-out D). Default XAVIER. DISTRIBUTION is not supported. */
        public Builder weightInit(WeightInit weightInit) {
            if (weightInit == null || weightInit == WeightInit.DISTRIBUTION) {
                throw new IllegalArgumentException("weightInit must be a non-DISTRIBUTION WeightInit, got " + weightInit);
            }
            this.weightInit = weightInit;
            return this;
        }

        /**
         * Initial gate bias: 0 starts the gate near 0.5; +x favours {@code a}, -x favours {@code attended}.
         * Beyond |6| the sigmoid saturates (gate within 0.25% of 0 or 1) and the gate barely learns.
         */
        public Builder gateBiasInit(double gateBiasInit) {
            if (!Double.isFinite(gateBiasInit) || Math.abs(gateBiasInit) > 6) {
                throw new IllegalArgumentException("gateBiasInit must be within [-6, 6], got " + gateBiasInit);
            }
            this.gateBiasInit = gateBiasInit;
            return this;
        }

        /** Updater for W and b; default: inherited from the graph (see {@link TrainableVertexConfig}). */
        public Builder updater(org.nd4j.linalg.learning.config.IUpdater updater) {
            this.updater = updater;
            return this;
        }

        public GatedFusionVertex build() {
            if (size <= 0) {
                throw new IllegalStateException("size(D) is required");
            }
            return new GatedFusionVertex(this);
        }
    }
}
