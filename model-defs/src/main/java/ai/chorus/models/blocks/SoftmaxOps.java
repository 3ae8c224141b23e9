package ai.chorus.models.blocks;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.custom.SoftMax;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Softmax over the last axis with an additive mask, and its backward.
 *
 * <p>Masked positions get {@link #MASKED} (-1e9, finite) added before the max-subtracting softmax, so their
 * weight is exactly 0 whenever the row has an unmasked position, and a fully masked row (e.g. a padded query
 * whose keys are all padding) becomes a finite, ordinary softmax instead of NaN ({@code -inf - -inf}).
 */
public final class SoftmaxOps {

    /** Added to masked scores. */
    public static final double MASKED = -1e9;

    private SoftmaxOps() {
    }

    /**
     * Additive key mask [B, 1, 1, Tk] from a 0/1 mask [B, Tk]: 0 where 1 (real), {@link #MASKED} where 0. Scratch
     * array in the workspace of {@code type}.
     */
    public static INDArray keyMaskBias(INDArray mask, DataType dt, LayerWorkspaceMgr ws, ArrayType type) {
        long b = mask.size(0);
        long tk = mask.size(1);
        INDArray out = ws.createUninitialized(type, dt, new long[] {b, tk}, 'c');
        out.assign(mask); // also casts
        Nd4j.exec(new ScalarAdd(out, null, out, -1.0));
        Nd4j.exec(new ScalarMultiplication(out, null, out, -MASKED));
        return out.reshape('c', b, 1, 1, tk);
    }

    /**
     * Causal additive mask [T, T]: {@link #MASKED} above the diagonal (key after query). Detached from any
     * workspace so a layer can keep it across iterations.
     */
    public static INDArray causalBias(long t, DataType dt) {
        double[] data = new double[(int) (t * t)];
        for (int i = 0; i < t; i++) {
            for (int j = i + 1; j < t; j++) {
                data[(int) (i * t + j)] = MASKED;
            }
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            return Nd4j.create(data, new long[] {t, t}, DataType.DOUBLE).castTo(dt);
        }
    }

    /**
     * In place: {@code s = softmax(s + keyBias + causalBias)} over the last axis of {@code s} [B, H, Tq, Tk].
     *
     * @param keyBias    [B, 1, 1, Tk] or null
     * @param causalBias [Tq, Tk] or null
     */
    public static void forwardInPlace(INDArray s, INDArray keyBias, INDArray causalBias) {
        if (keyBias != null) {
            Nd4j.exec(new AddOp(s, keyBias, s));
        }
        if (causalBias != null) {
            Nd4j.exec(new AddOp(s, causalBias, s));
        }
        if (s.dataType() != DataType.FLOAT) {
            // Subtract the row max ourselves: ND4J M2.1's double softmax over several rows returns NaN for rows
            // whose values are all below ~-745 (e.g. a fully masked row), as if it did not subtract the max. Its
            // float softmax is stable (tested), so float skips these two passes.
            long cols = s.size(s.rank() - 1);
            INDArray s2 = s.reshape('c', s.length() / cols, cols);
            Nd4j.exec(new SubOp(s2, s2.max(true, 1), s2));
        }
        Nd4j.exec(new SoftMax(s, s, -1));
    }

    /**
     * In place: turns {@code dp} (gradient w.r.t. the softmax output {@code p}) into the gradient w.r.t. the
     * scores, {@code ds = p * (dp - rowsum(dp * p))}. Masked positions get exactly 0 (their p is 0).
     *
     * @param p  softmax output, c-order, any rank, softmax over the last axis
     * @param dp same shape, c-order; overwritten
     */
    public static void backwardInPlace(INDArray p, INDArray dp, LayerWorkspaceMgr ws, ArrayType scratch) {
        long cols = p.size(p.rank() - 1);
        long rows = p.length() / cols;
        DataType dt = p.dataType();
        INDArray p2 = p.reshape('c', rows, cols);
        INDArray dp2 = dp.reshape('c', rows, cols);
        INDArray t = ws.createUninitialized(scratch, dt, new long[] {rows, cols}, 'c');
        INDArray r = ws.createUninitialized(scratch, dt, new long[] {rows, 1}, 'c');
        Nd4j.exec(new MulOp(dp2, p2, t));
        RowOps.rowSums(t, r, 1.0);
        Nd4j.exec(new SubOp(dp2, r, dp2));
        Nd4j.exec(new MulOp(dp2, p2, dp2));
    }
}
