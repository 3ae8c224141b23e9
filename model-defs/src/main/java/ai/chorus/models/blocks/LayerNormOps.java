package ai.chorus.models.blocks;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.transforms.floating.RSqrt;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * LayerNorm over the channel axis of a 2-D [N, C] view (one row per token), as PyTorch's
 * {@code nn.LayerNorm(C)}: {@code y = (x - mean) / sqrt(var + eps) * gain + bias}, biased variance.
 *
 * <p>Forward and backward are whole-matrix ND4J ops (no per-row loops); row statistics and the gain/bias
 * gradients are GEMMs against ones vectors or the gain (see {@link RowOps}). Forward keeps {@code xhat} and
 * {@code rstd}, which is all backward needs:
 * <pre>
 *   dxhat = dy * gain
 *   dx    = rstd * (dxhat - mean_c(dxhat) - xhat * mean_c(dxhat * xhat))
 *   mean_c(dxhat) = dy . gain^T / C,   mean_c(dxhat * xhat) = (dy * xhat) . gain^T / C
 * </pre>
 * where {@code dy * xhat} is also what the gain gradient sums. (ND4J's own {@code layer_norm_bp} took ~53 ms a
 * call in the CLIP-small profile.)
 */
public final class LayerNormOps {

    /** PyTorch's default epsilon. */
    public static final double DEFAULT_EPS = 1e-5;

    private LayerNormOps() {
    }

    /**
     * @param x     input [N, C] (read only)
     * @param gain  [1, C]
     * @param bias  [1, C]
     * @param xhat  out: normalised input [N, C] (kept for backward)
     * @param rstd  out: 1 / sqrt(var + eps) per row [N, 1] (kept for backward)
     * @param y     out: [N, C]; may not alias x
     * @param ws    workspace manager for scratch arrays of type {@code scratch}
     */
    public static void forward(INDArray x, INDArray gain, INDArray bias, double eps, INDArray xhat, INDArray rstd,
                               INDArray y, LayerWorkspaceMgr ws, ArrayType scratch) {
        long n = x.size(0);
        long c = x.size(1);
        DataType dt = x.dataType();
        INDArray mean = ws.createUninitialized(scratch, dt, new long[] {n, 1}, 'c');
        RowOps.rowSums(x, mean, 1.0 / c);
        Nd4j.exec(new SubOp(x, mean, xhat));
        // Two-pass variance (of the centred values): no cancellation for inputs with a large mean.
        INDArray sq = ws.createUninitialized(scratch, dt, new long[] {n, c}, 'c');
        Nd4j.exec(new MulOp(xhat, xhat, sq));
        RowOps.rowSums(sq, rstd, 1.0 / c);
        Nd4j.exec(new ScalarAdd(rstd, null, rstd, eps));
        Nd4j.exec(new RSqrt(rstd, rstd));
        Nd4j.exec(new MulOp(xhat, rstd, xhat));
        Nd4j.exec(new MulOp(xhat, gain, y));
        Nd4j.exec(new AddOp(y, bias, y));
    }

    /**
     * @param dy         gradient of the output [N, C] (read only)
     * @param xhat       from forward [N, C]
     * @param rstd       from forward [N, 1]
     * @param gain       [1, C]
     * @param dGain      out: [1, C], overwritten
     * @param dBias      out: [1, C], overwritten
     * @param dx         out: [N, C]; overwritten, or added to when {@code accumulate} (e.g. a residual gradient)
     */
    public static void backward(INDArray dy, INDArray xhat, INDArray rstd, INDArray gain, INDArray dGain,
                                INDArray dBias, INDArray dx, boolean accumulate, LayerWorkspaceMgr ws,
                                ArrayType scratch) {
        long n = dy.size(0);
        long c = dy.size(1);
        DataType dt = dy.dataType();
        INDArray gainCol = gain.reshape(c, 1);
        INDArray t = ws.createUninitialized(scratch, dt, new long[] {n, c}, 'c');
        INDArray m1 = ws.createUninitialized(scratch, dt, new long[] {n, 1}, 'c');
        INDArray m2 = ws.createUninitialized(scratch, dt, new long[] {n, 1}, 'c');

        RowOps.colSums(dy, dBias);
        RowOps.rowDot(dy, gainCol, m1, 1.0 / c);
        Nd4j.exec(new MulOp(dy, xhat, t));
        RowOps.colSums(t, dGain);
        RowOps.rowDot(t, gainCol, m2, 1.0 / c);

        INDArray dxhat = accumulate ? ws.createUninitialized(scratch, dt, new long[] {n, c}, 'c') : dx;
        Nd4j.exec(new MulOp(dy, gain, dxhat));
        Nd4j.exec(new SubOp(dxhat, m1, dxhat));
        Nd4j.exec(new MulOp(xhat, m2, t));
        Nd4j.exec(new SubOp(dxhat, t, dxhat));
        Nd4j.exec(new MulOp(dxhat, rstd, dxhat));
        if (accumulate) {
            Nd4j.exec(new AddOp(dx, dxhat, dx));
        }
    }
}
