package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Runtime base of the Chorus vertices without parameters (reshapes, transposes, joins): DL4J still hands every
 * vertex a gradient view, which must be empty here, and asks it for the mask of its output, which by default it
 * has none of (a subclass that carries a mask through overrides {@link #feedForwardMaskArrays}).
 */
public abstract class ParameterlessVertexImpl extends LayerlessVertexImpl {

    protected ParameterlessVertexImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, dataType);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        if (backpropGradientsViewArray != null && backpropGradientsViewArray.length() > 0) {
            // Named after the configuration class (XVertex for runtime XVertexImpl), as users know it.
            throw new IllegalStateException(getClass().getSimpleName().replaceFirst("Impl$", "")
                    + " has no parameters");
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        return new Pair<>(null, currentMaskState);
    }
}
