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
 * LayerNorm of feed-forward activations [B, C] (DL4J has no standalone LayerNorm layer): CLIP's
 * {@code ln_post} / {@code ln_final} on a pooled token. Same math as inside the transformer block
 * ({@link LayerNormOps}); gain starts at 1, bias at 0.
 */
public class LayerNorm extends BaseLayer implements EmbeddingParamInitializer.Spec {
    public static final String GAIN = "g";
    public static final String BIAS = "b";

    private long nOut;
    private double eps = LayerNormOps.DEFAULT_EPS;

    /** For JSON. */
    public LayerNorm() {
        this.activationFn = new ActivationIdentity();
    }

    protected LayerNorm(Builder builder) {
        super(builder);
        this.nOut = builder.nOut;
        this.eps = builder.eps;
        this.activationFn = new ActivationIdentity();
    }

    @Override
    public List<EmbeddingParamInitializer.Param> params() {
        return List.of(
                new EmbeddingParamInitializer.Param(GAIN, new long[] {1, nOut}, 'c', EmbeddingParamInitializer.Kind.WEIGHT,
                        EmbeddingParamInitializer.Init.ONES, 0),
                new EmbeddingParamInitializer.Param(BIAS, new long[] {1, nOut}, 'c', EmbeddingParamInitializer.Kind.BIAS,
                        EmbeddingParamInitializer.Init.BIAS_INIT, 0));
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf, Collection<TrainingListener> listeners,
                                                       int layerIndex, INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        if (nOut <= 0) {
            throw new IllegalStateException("LayerNorm '" + layerName + "': nOut unknown; give the graph input types");
        }
        return LayerRuntimes.wire(new LayerNormLayer(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return EmbeddingParamInitializer.INSTANCE;
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeFeedForward ff)) {
            throw new InvalidInputTypeException("LayerNorm '" + layerName + "' expects feed-forward [B, C], got " + inputType);
        }
        return InputType.feedForward(ff.getSize());
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        if (nOut <= 0 || override) {
            nOut = ((InputType.InputTypeFeedForward) getOutputType(-1, inputType)).getSize();
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
        return new LayerMemoryReport.Builder(layerName, LayerNorm.class, inputType, inputType)
                .standardMemory(2 * nOut, 0).workingMemory(0, 2 * nOut, 0, 2 * nOut).cacheMemory(0, 0).build();
    }

    public long getNOut() {
        return nOut;
    }

    public void setNOut(long nOut) {
        this.nOut = nOut;
    }

    public double getEps() {
        return eps;
    }

    public void setEps(double eps) {
        this.eps = eps;
    }

    @Override
    public LayerNorm clone() {
        return (LayerNorm) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LayerNorm that && super.equals(o) && nOut == that.nOut && Double.compare(eps, that.eps) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), nOut, eps);
    }

    public static class Builder extends BaseLayer.Builder<Builder> {
        private long nOut;
        private double eps = LayerNormOps.DEFAULT_EPS;

        /** Channels C; default: from the input type. */
        public Builder nOut(long nOut) {
            this.nOut = nOut;
            return this;
        }

        public Builder eps(double eps) {
            if (!(eps > 0)) {
                throw new IllegalArgumentException("LayerNorm eps must be positive, got " + eps);
            }
            this.eps = eps;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public LayerNorm build() {
            return new LayerNorm(this);
        }
    }
}
