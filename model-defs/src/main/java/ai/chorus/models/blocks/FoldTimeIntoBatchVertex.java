package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Folds the frames of a video into the minibatch so that one image encoder is shared by all frames:
 * [B, T·Cin, H, W] → [B·T, Cin, H, W]. No parameters.
 *
 * <p>Channel order (frame-major): input channel {@code t·Cin + c} is channel c of frame t, the order of a
 * stored T×H×W×Cin clip after moving channels in front of each frame ([T, Cin, H, W] flattened to T·Cin channels).
 * Output row {@code b·T + t} is frame t of sample b, the order {@link UnfoldTimeFromBatchVertex} undoes.
 * T ({@code numFrames}) is fixed by the configuration; input type {@code InputType.convolutional(H, W, T·Cin)}.
 * A pure reshape (no copy for a c-order input); masks are not propagated (every frame is real).
 */
public class FoldTimeIntoBatchVertex extends FrameCountVertex {

    /** For JSON. */
    public FoldTimeIntoBatchVertex() {
        super();
    }

    public FoldTimeIntoBatchVertex(int numFrames) {
        super(numFrames);
    }

    @Override
    public FoldTimeIntoBatchVertex clone() {
        return new FoldTimeIntoBatchVertex(numFrames);
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new FoldTimeIntoBatchVertexImpl(graph, name, idx, numFrames, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 1 || !(vertexInputs[0] instanceof InputType.InputTypeConvolutional)) {
            throw new InvalidInputTypeException("FoldTimeIntoBatchVertex takes one InputType.convolutional(H, W, T*Cin)"
                    + " input, got " + Arrays.toString(vertexInputs));
        }
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) vertexInputs[0];
        if (in.getFormat() != CNN2DFormat.NCHW) {
            throw new InvalidInputTypeException("FoldTimeIntoBatchVertex takes NCHW input, got " + in.getFormat());
        }
        if (in.getChannels() % numFrames != 0) {
            throw new InvalidInputTypeException("FoldTimeIntoBatchVertex: " + in.getChannels()
                    + " input channels are not numFrames (" + numFrames + ") x channels per frame");
        }
        return InputType.convolutional(in.getHeight(), in.getWidth(), in.getChannels() / numFrames);
    }
}
