package ai.chorus.models.blocks;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The memory layout the embedding blocks give sequence activations: DL4J's [B, C, T] shape, stored token-major
 * (a c-order [B, T, C] buffer seen through {@code permute(0, 2, 1)}). Per-token matrix work then reads the
 * activations as [B·T, C] rows without a copy: {@code x.permute(0, 2, 1).reshape(B·T, C)}.
 *
 * <p>Why it matters beyond gemm: libnd4j's element-wise, scalar and broadcast ops take a slow generic path on
 * permuted (non-contiguous) views — an {@code assign(0)} on a permuted [64, 256, 65] view measured ~19 ms against
 * ~0.1 ms on the contiguous [B, T, C] view of the same buffer — so the blocks do all their array work on the
 * contiguous view. Every block accepts any layout; another layout only costs one copy.
 */
final class TokenRows {

    private TokenRows() {
    }

    /** A new uninitialised [B, C, T] array, token-major, in the workspace of {@code type}. */
    static INDArray newSequence(LayerWorkspaceMgr mgr, ArrayType type, DataType dataType, long b, long c, long t) {
        return mgr.createUninitialized(type, dataType, new long[] {b, t, c}, 'c').permute(0, 2, 1);
    }

    /** True if {@code x} [B, C, T] is token-major: its [B, T, C] permutation has default c-order strides. */
    static boolean isTokenMajor(INDArray x) {
        if (x.rank() != 3) {
            return false;
        }
        long[] s = x.stride();
        long c = x.size(1);
        long t = x.size(2);
        return (s[1] == 1 || c == 1) && (s[2] == c || t == 1) && (s[0] == c * t || x.size(0) == 1);
    }

    /**
     * {@code x} [B, C, T] as a c-contiguous [B, T, C] array: a view when {@code x} is token-major, else a copy in
     * the workspace of {@code copyType}.
     */
    static INDArray btc(INDArray x, LayerWorkspaceMgr mgr, ArrayType copyType) {
        INDArray v = x.permute(0, 2, 1);
        return isTokenMajor(x) ? v : mgr.dup(copyType, v, 'c');
    }

    /** The [B·T, C] rows of {@code x} [B, C, T] (row b·T + t is token t of sample b); see {@link #btc}. */
    static INDArray rows(INDArray x, LayerWorkspaceMgr mgr, ArrayType copyType) {
        return btc(x, mgr, copyType).reshape('c', x.size(0) * x.size(2), x.size(1));
    }

    /** The [B, T·C] view of a c-contiguous [B, T, C] array (one row per sample). */
    static INDArray flat(INDArray btc) {
        return btc.reshape('c', btc.size(0), btc.size(1) * btc.size(2));
    }

    /** {@code x} as c-contiguous, copying into {@code type} if needed (e.g. an 'f'-order epsilon). */
    static INDArray contiguous(INDArray x, LayerWorkspaceMgr mgr, ArrayType type) {
        return x.ordering() == 'c' && org.nd4j.linalg.api.shape.Shape.hasDefaultStridesForShape(x) ? x
                : mgr.dup(type, x, 'c');
    }
}
