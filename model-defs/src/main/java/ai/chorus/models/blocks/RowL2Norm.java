package ai.chorus.models.blocks;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Row-wise L2 normalisation of a [N, D] matrix with an explicit backward pass.
 *
 * <p>Forward: {@code r_i = sqrt(|x_i|^2 + eps^2)}, {@code xhat_i = x_i / r_i}. The eps inside the square root
 * (rather than PyTorch's {@code max(|x|, eps)}) keeps the function smooth, so a zero row has a finite, well
 * defined gradient and numerical gradient checks hold everywhere; for |x| much larger than eps it is the plain
 * L2 normalisation.
 *
 * <p>Backward: since {@code dr/dx = x / r = xhat}, {@code dL/dx = (g - xhat * <g, xhat>) / r} row by row,
 * where {@code g = dL/dxhat}.
 */
public final class RowL2Norm {

    private RowL2Norm() {
    }

    /** Output of {@link #forward}: the normalised rows and the per-row norms [N, 1]. */
    public static final class Result {
        public final INDArray normalized;
        public final INDArray norms;

        Result(INDArray normalized, INDArray norms) {
            this.normalized = normalized;
            this.norms = norms;
        }
    }

    /**
     * @param x        [N, D]
     * @param eps      smoothing term (see class doc), e.g. 1e-6
     * @param outType  workspace array type for both results (INPUT when they are kept for backward)
     */
    public static Result forward(INDArray x, double eps, LayerWorkspaceMgr mgr, ArrayType outType) {
        if (x.rank() != 2) {
            throw new IllegalArgumentException("Expected a [N, D] matrix, got shape " + java.util.Arrays.toString(x.shape()));
        }
        long n = x.size(0);
        INDArray norms = mgr.createUninitialized(outType, x.dataType(), new long[] {n, 1}, 'c');
        // norm2 then r = sqrt(norm^2 + eps^2): no [N, D] temporary.
        INDArray plain = x.norm2(true, 1);
        norms.assign(plain).muli(plain).addi(eps * eps);
        Transforms.sqrt(norms, false);
        INDArray normalized = mgr.createUninitialized(outType, x.dataType(), x.shape(), 'c');
        normalized.assign(x).diviColumnVector(norms);
        return new Result(normalized, norms);
    }

    /**
     * @param gradNormalized dL/dxhat [N, D]; not modified
     * @param rowDots        if not null, [N, 1] receives {@code <g_i, xhat_i>} (callers that need it, e.g. for a
     *                       scale parameter, get it for free)
     * @return dL/dx in {@code outType} workspace
     */
    public static INDArray backward(INDArray gradNormalized, Result fwd, INDArray rowDots, LayerWorkspaceMgr mgr,
                                    ArrayType outType) {
        INDArray xhat = fwd.normalized;
        INDArray dots = gradNormalized.mul(xhat).sum(true, 1);
        if (rowDots != null) {
            rowDots.assign(dots);
        }
        INDArray dx = mgr.createUninitialized(outType, xhat.dataType(), xhat.shape(), 'c');
        // dx = (g - xhat * dots) / r
        dx.assign(xhat).muliColumnVector(dots).rsubi(gradNormalized).diviColumnVector(fwd.norms);
        return dx;
    }
}
