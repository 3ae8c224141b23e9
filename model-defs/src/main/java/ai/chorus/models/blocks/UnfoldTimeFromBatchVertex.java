package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Undoes {@link FoldTimeIntoBatchVertex} after the per-frame encoder has pooled each frame to a vector:
 * [B·T, C] (row b·T + t = frame t of sample b) → [B, C, T], so a temporal transformer can run over the frames
 * (put {@link LearnedPositions} after it so frame order is visible). No parameters; T ({@code numFrames}) fixed by
 * the configuration. Output is token-major (see {@link TokenRows}); a view of the input when it is c-order.
 * The output carries no mask (every frame is real).
 */
public class UnfoldTimeFromBatchVertex extends FrameCountVertex {

    /** For JSON. */
    public UnfoldTimeFromBatchVertex() {
        super();
    }

    public UnfoldTimeFromBatchVertex(int numFrames) {
        super(numFrames);
    }

    @Override
    public UnfoldTimeFromBatchVertex clone() {
        return new UnfoldTimeFromBatchVertex(numFrames);
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new UnfoldTimeFromBatchVertexImpl(graph, name, idx, numFrames, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 1 || !(vertexInputs[0] instanceof InputType.InputTypeFeedForward)) {
            throw new InvalidInputTypeException("UnfoldTimeFromBatchVertex takes one feed-forward [B*T, C] input, got "
                    + Arrays.toString(vertexInputs));
        }
        return InputType.recurrent(((InputType.InputTypeFeedForward) vertexInputs[0]).getSize(), numFrames);
    }
}
