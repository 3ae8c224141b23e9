package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.NoParamLayer;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collection;
import java.util.Objects;

/**
 * Pools a sequence [B, C, T] (with an optional padding mask [B, T], 1 real / 0 padding) to one vector per sample
 * [B, C]. No parameters. Modes:
 * <ul>
 *   <li>{@link Mode#FIRST}: position 0 (a ViT's class token). The mask is ignored.</li>
 *   <li>{@link Mode#LAST_VALID}: the last real position of each sample (the last 1 in its mask row; T-1 without a
 *       mask). CLIP's end-of-text pooling, where the EOT token is the last real token. A sample whose mask row is
 *       all zeros pools position 0.</li>
 *   <li>{@link Mode#MEAN_MASKED}: the mean over real positions (over all T without a mask). A sample with no real
 *       position pools to zeros.</li>
 * </ul>
 * Padded positions never influence the output (they are multiplied by an exact 0; padding content must be finite)
 * and receive zero gradient. The output carries no mask.
 */
public class SequencePooling extends NoParamLayer {

    public enum Mode { FIRST, LAST_VALID, MEAN_MASKED }

    private Mode mode = Mode.FIRST;

    /** For JSON. */
    public SequencePooling() {
    }

    public SequencePooling(Mode mode) {
        this.mode = Objects.requireNonNull(mode, "mode");
    }

    protected SequencePooling(Builder builder) {
        super(builder);
        this.mode = builder.mode;
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
                                                       Collection<TrainingListener> listeners, int layerIndex,
                                                       INDArray layerParamsView, boolean initializeParams,
                                                       DataType networkDataType) {
        return LayerRuntimes.wire(new SequencePoolingLayer(conf, networkDataType), conf, listeners, layerIndex,
                layerParamsView, initializeParams, initializer());
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeRecurrent)) {
            throw new InvalidInputTypeException("SequencePooling '" + layerName
                    + "' expects a recurrent [B, C, T] input, got " + inputType);
        }
        return InputType.feedForward(((InputType.InputTypeRecurrent) inputType).getSize());
    }

    @Override
    public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
        return null;
    }

    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType out = getOutputType(-1, inputType);
        return new LayerMemoryReport.Builder(layerName, SequencePooling.class, inputType, out)
                .standardMemory(0, 0).workingMemory(0, inputType.arrayElementsPerExample(), 0,
                        inputType.arrayElementsPerExample())
                .cacheMemory(0, 0).build();
    }

    public Mode getMode() {
        return mode;
    }

    public void setMode(Mode mode) {
        this.mode = mode;
    }

    @Override
    public SequencePooling clone() {
        return (SequencePooling) super.clone();
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof SequencePooling) || !super.equals(o)) {
            return false;
        }
        return mode == ((SequencePooling) o).mode;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), mode);
    }

    @Override
    public String toString() {
        return "SequencePooling(name=" + layerName + ", mode=" + mode + ")";
    }

    public static class Builder extends org.deeplearning4j.nn.conf.layers.Layer.Builder<Builder> {
        private Mode mode = Mode.FIRST;

        public Builder() {
        }

        public Builder(Mode mode) {
            this.mode = mode;
        }

        public Builder mode(Mode mode) {
            this.mode = mode;
            return this;
        }

        @Override
        @SuppressWarnings("unchecked")
        public SequencePooling build() {
            if (mode == null) {
                throw new IllegalArgumentException("SequencePooling: mode must be one of FIRST, LAST_VALID, MEAN_MASKED");
            }
            return new SequencePooling(this);
        }
    }
}
