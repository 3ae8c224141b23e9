package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.params.DefaultParamInitializer;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;

/**
 * A linear map applied to every token of a sequence, [B, nIn, T] -> [B, nOut, T]: {@code y_t = x_t W + b}
 * (runtime: {@link TokenLinearLayer}). Used to bring sequences of different widths to one width, e.g. image and
 * text tokens before a joint transformer.
 *
 * <p>Why not DL4J's {@code TimeDistributed(DenseLayer)}: in 1.0.0-M2.1 it flattens the activations token-major
 * (row b·T + t) but the padding mask time-major (row b + t·B), so the dense layer zeroes the wrong rows as soon as
 * a mask is set: the output then depends on how much padding there is.
 *
 * <p>The padding mask [B, T] passes through unchanged; padded positions are mapped like real ones (each token on
 * its own, so they never influence real positions). Parameters as DL4J's dense layer ({@code W} [nIn, nOut],
 * {@code b} [1, nOut]; weight init, updater and regularization from the usual layer/global configuration); no
 * activation. Output token-major (see {@link TokenRows}).
 */
public class TokenLinear extends FeedForwardLayer {

    /** For JSON; use {@link Builder}. */
    public TokenLinear() {
        this.activationFn = new ActivationIdentity();
    }

    private TokenLinear(Builder b) {
        super(b);
        this.activationFn = new ActivationIdentity();
        initializeConstraints(b);
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> trainingListeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        if (nIn <= 0 || nOut <= 0) {
            throw new IllegalStateException("TokenLinear '" + layerName + "': nIn and nOut must be set, got " + nIn
                    + " and " + nOut);
        }
        return LayerRuntimes.wire(new TokenLinearLayer(conf, networkDataType), conf, trainingListeners, layerIndex,
                layerParamsView, initializeParams, initializer());
    }

    @Override
    public ParamInitializer initializer() {
        return DefaultParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        return InputType.recurrent(nOut, requireNcw(inputType).getTimeSeriesLength(), RNNFormat.NCW);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        InputType.InputTypeRecurrent r = requireNcw(inputType);
        if (nIn <= 0 || override) {
            nIn = r.getSize();
        }
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        requireNcw(inputType);
        return null;
    }

    private InputType.InputTypeRecurrent requireNcw(InputType inputType) {
        if (inputType == null || inputType.getType() != InputType.Type.RNN) {
            throw new IllegalStateException("TokenLinear '" + layerName + "' takes sequences (InputType.recurrent(C, "
                    + "T), shape [B, C, T]), got " + inputType);
        }
        InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) inputType;
        if (r.getFormat() != null && r.getFormat() != RNNFormat.NCW) {
            throw new IllegalStateException("TokenLinear '" + layerName + "' takes NCW sequences, got "
                    + r.getFormat());
        }
        return r;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType out = getOutputType(-1, inputType);
        return new LayerMemoryReport.Builder(layerName, TokenLinear.class, inputType, out)
                .standardMemory(initializer().numParams(this), 0)
                .workingMemory(0, 0, 0, 0)
                .cacheMemory(0, 0)
                .build();
    }

    @Override
    public boolean isPretrainParam(String paramName) {
        return false;
    }

    @Override
    public TokenLinear clone() {
        return (TokenLinear) super.clone();
    }

    @Override
    public String toString() {
        return "TokenLinear(name=" + layerName + ", nIn=" + nIn + ", nOut=" + nOut + ")";
    }

    /** Builder; {@code nOut} is required, {@code nIn} comes from the graph's input types when not set. */
    public static class Builder extends FeedForwardLayer.Builder<Builder> {
        @Override
        @SuppressWarnings("unchecked")
        public TokenLinear build() {
            if (nOut <= 0) {
                throw new IllegalStateException("TokenLinear: nOut must be positive, got " + nOut);
            }
            return new TokenLinear(this);
        }
    }
}
