package ai.chorus.models.blocks;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** Runtime of {@link TransposeVertex}: a contiguous copy of the transpose, forward and backward. */
public class TransposeVertexImpl extends ParameterlessVertexImpl {

    public TransposeVertexImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, dataType);
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray in = inputs[0];
        if (in.rank() != 2 || in.size(0) != in.size(1)) {
            throw new IllegalStateException("Vertex '" + vertexName + "' transposes square [B, B] matrices only, got "
                    + Arrays.toString(in.shape()));
        }
        return transposedCopy(in, ArrayType.ACTIVATIONS, workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (epsilon == null) {
            throw new IllegalStateException("Vertex '" + vertexName + "': epsilon not set");
        }
        return new Pair<>(null, new INDArray[] {transposedCopy(epsilon, ArrayType.ACTIVATION_GRAD, workspaceMgr)});
    }

    private static INDArray transposedCopy(INDArray x, ArrayType type, LayerWorkspaceMgr mgr) {
        INDArray out = mgr.createUninitialized(type, x.dataType(), new long[] {x.size(1), x.size(0)}, 'c');
        return out.assign(x.transpose());
    }

    @Override
    public String toString() {
        return "TransposeVertexImpl(name=" + vertexName + ")";
    }
}
