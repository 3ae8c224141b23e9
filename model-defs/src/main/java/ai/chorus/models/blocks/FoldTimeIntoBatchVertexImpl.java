package ai.chorus.models.blocks;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import java.util.Arrays;

/** Runtime of {@link FoldTimeIntoBatchVertex}: reshapes forward and backward (views when the arrays are c-order). */
public class FoldTimeIntoBatchVertexImpl extends ParameterlessVertexImpl {

    private final int numFrames;

    public FoldTimeIntoBatchVertexImpl(ComputationGraph graph, String name, int vertexIndex, int numFrames,
                                       DataType dataType) {
        super(graph, name, vertexIndex, dataType);
        this.numFrames = numFrames;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = inputs[0];
        if (x.rank() != 4 || x.size(1) % numFrames != 0) {
            throw new IllegalStateException("Vertex '" + vertexName + "': expected video [B, T*Cin, H, W] with T = "
                    + numFrames + ", got " + Arrays.toString(x.shape()));
        }
        long[] s = x.shape();
        return reshape(x, workspaceMgr, ArrayType.ACTIVATIONS, s[0] * numFrames, s[1] / numFrames, s[2], s[3]);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        long[] s = epsilon.shape();
        if (epsilon.rank() != 4 || s[0] % numFrames != 0) {
            throw new IllegalStateException("Vertex '" + vertexName + "': epsilon must be [B*T, Cin, H, W], got "
                    + Arrays.toString(s));
        }
        INDArray eps = reshape(epsilon, workspaceMgr, ArrayType.ACTIVATION_GRAD, s[0] / numFrames, s[1] * numFrames,
                s[2], s[3]);
        return new Pair<>(null, new INDArray[] {eps});
    }

    /** A c-order reshape: a view of a c-contiguous array, else of a copy; kept valid in {@code type}'s workspace. */
    static INDArray reshape(INDArray x, LayerWorkspaceMgr mgr, ArrayType type, long... shape) {
        INDArray c = x.ordering() == 'c' && Shape.hasDefaultStridesForShape(x) ? x : mgr.dup(type, x, 'c');
        // leverageTo copies only if x lives in a workspace other than type's (e.g. at inference).
        return mgr.leverageTo(type, c.reshape('c', shape));
    }

    @Override
    public String toString() {
        return "FoldTimeIntoBatchVertexImpl(name=" + vertexName + ", numFrames=" + numFrames + ")";
    }
}
