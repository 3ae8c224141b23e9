package ai.chorus.models.blocks;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/** Runtime of {@link UnfoldTimeFromBatchVertex}: [B·T, C] rows seen as token-major [B, C, T], and back. */
public class UnfoldTimeFromBatchVertexImpl extends ParameterlessVertexImpl {

    private final int numFrames;

    public UnfoldTimeFromBatchVertexImpl(ComputationGraph graph, String name, int vertexIndex, int numFrames,
                                         DataType dataType) {
        super(graph, name, vertexIndex, dataType);
        this.numFrames = numFrames;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = inputs[0];
        if (x.rank() != 2 || x.size(0) % numFrames != 0) {
            throw new IllegalStateException("Vertex '" + vertexName + "': expected frame vectors [B*T, C] with T = "
                    + numFrames + ", got " + Arrays.toString(x.shape()));
        }
        long b = x.size(0) / numFrames;
        INDArray btc = FoldTimeIntoBatchVertexImpl.reshape(x, workspaceMgr, ArrayType.ACTIVATIONS, b, numFrames,
                x.size(1));
        return btc.permute(0, 2, 1);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (epsilon.rank() != 3 || epsilon.size(2) != numFrames) {
            throw new IllegalStateException("Vertex '" + vertexName + "': epsilon must be [B, C, " + numFrames
                    + "], got " + Arrays.toString(epsilon.shape()));
        }
        INDArray rows = TokenRows.rows(epsilon, workspaceMgr, ArrayType.ACTIVATION_GRAD);
        return new Pair<>(null, new INDArray[] {workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, rows)});
    }

    @Override
    public String toString() {
        return "UnfoldTimeFromBatchVertexImpl(name=" + vertexName + ", numFrames=" + numFrames + ")";
    }
}
