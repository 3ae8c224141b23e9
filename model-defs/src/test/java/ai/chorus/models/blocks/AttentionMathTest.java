package ai.chorus.models.blocks;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shared math of the attention blocks against straightforward references: LayerNorm, GELU and masked
 * softmax element by element, and multi-head attention against plain per-head loops.
 */
class AttentionMathTest {




    private static final LayerWorkspaceMgr WS = LayerWorkspaceMgr.noWorkspaces();

    private static INDArray rand(Random r, long... shape) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = r.nextGaussian();
        }
        return Nd4j.create(d, shape, DataType.DOUBLE);
    }

    @Test
    void layerNormMatchesRowByRowReferenceAndFiniteDifferences() {
        Random r = new Random(1);
        int n = 5;
        int c = 7;
        INDArray x = rand(r, n, c).muli(3).addi(2);
        INDArray g = rand(r, 1, c);
        INDArray b = rand(r, 1, c);
        INDArray xhat = Nd4j.create(DataType.DOUBLE, n, c);
        INDArray rstd = Nd4j.create(DataType.DOUBLE, n, 1);
        INDArray y = Nd4j.create(DataType.DOUBLE, n, c);
        LayerNormOps.forward(x, g, b, 1e-5, xhat, rstd, y, WS, ArrayType.FF_WORKING_MEM);
        for (int i = 0; i < n; i++) {
            double mean = 0;
            for (int j = 0; j < c; j++) {
                mean += x.getDouble(i, j) / c;
            }
            double var = 0;
            for (int j = 0; j < c; j++) {
                var += Math.pow(x.getDouble(i, j) - mean, 2) / c;
            }
            for (int j = 0; j < c; j++) {
                double ref = (x.getDouble(i, j) - mean) / Math.sqrt(var + 1e-5) * g.getDouble(0, j) + b.getDouble(0, j);
                assertEquals(ref, y.getDouble(i, j), 1e-12);
            }
        }

        // Backward against central differences of L = sum(y * w) for a random w.
        INDArray w = rand(r, n, c);
        INDArray dx = Nd4j.create(DataType.DOUBLE, n, c);
        INDArray dg = Nd4j.create(DataType.DOUBLE, 1, c);
        INDArray db = Nd4j.create(DataType.DOUBLE, 1, c);
        LayerNormOps.backward(w, xhat, rstd, g, dg, db, dx, false, WS, ArrayType.BP_WORKING_MEM);
        double h = 1e-6;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < c; j++) {
                double orig = x.getDouble(i, j);
                x.putScalar(i, j, orig + h);
                double lp = lnLoss(x, g, b, w);
                x.putScalar(i, j, orig - h);
                double lm = lnLoss(x, g, b, w);
                x.putScalar(i, j, orig);
                assertEquals((lp - lm) / (2 * h), dx.getDouble(i, j), 1e-6);
            }
        }
        for (int j = 0; j < c; j++) {
            double orig = g.getDouble(0, j);
            g.putScalar(0, j, orig + h);
            double lp = lnLoss(x, g, b, w);
            g.putScalar(0, j, orig - h);
            double lm = lnLoss(x, g, b, w);
            g.putScalar(0, j, orig);
            assertEquals((lp - lm) / (2 * h), dg.getDouble(0, j), 1e-6);
            assertEquals(w.getColumn(j).sumNumber().doubleValue(), db.getDouble(0, j), 1e-12);
        }

        // Accumulate mode adds to what dx holds.
        INDArray acc = Nd4j.ones(DataType.DOUBLE, n, c);
        LayerNormOps.backward(w, xhat, rstd, g, dg, db, acc, true, WS, ArrayType.BP_WORKING_MEM);
        assertTrue(acc.sub(dx).sub(1.0).amaxNumber().doubleValue() < 1e-12);
    }

    private static double lnLoss(INDArray x, INDArray g, INDArray b, INDArray w) {
        long n = x.size(0);
        long c = x.size(1);
        INDArray y = Nd4j.create(DataType.DOUBLE, n, c);
        LayerNormOps.forward(x, g, b, 1e-5, Nd4j.create(DataType.DOUBLE, n, c), Nd4j.create(DataType.DOUBLE, n, 1), y,
                WS, ArrayType.FF_WORKING_MEM);
        return y.mul(w).sumNumber().doubleValue();
    }

    @Test
    void geluIsTheTanhApproximationWithExactDerivative() {
        double[] xs = {-6, -3, -1, -0.5, 0, 0.5, 1, 2, 3, 6};
        INDArray x = Nd4j.createFromArray(xs).reshape(1, xs.length);
        INDArray y = x.ulike();
        INDArray s = x.ulike();
        GeluOps.forward(x, y, s);
        double k = Math.sqrt(2 / Math.PI);
        for (int i = 0; i < xs.length; i++) {
            double v = xs[i];
            double ref = 0.5 * v * (1 + Math.tanh(k * (v + 0.044715 * v * v * v)));
            assertEquals(ref, y.getDouble(0, i), 1e-12, "gelu(" + v + ")");
        }
        // PyTorch: F.gelu(torch.tensor([1., -3.]), approximate='tanh') = [0.8412, -0.0036]
        assertEquals(0.841192, y.getDouble(0, 6), 1e-6);
        assertEquals(-0.003637, y.getDouble(0, 1), 1e-6);

        INDArray dy = Nd4j.ones(DataType.DOUBLE, 1, xs.length);
        INDArray dx = x.ulike();
        GeluOps.backward(x, s, dy, dx, WS, ArrayType.BP_WORKING_MEM);
        for (int i = 0; i < xs.length; i++) {
            double v = xs[i];
            double h = 1e-6;
            double fp = 0.5 * (v + h) * (1 + Math.tanh(k * ((v + h) + 0.044715 * Math.pow(v + h, 3))));
            double fm = 0.5 * (v - h) * (1 + Math.tanh(k * ((v - h) + 0.044715 * Math.pow(v - h, 3))));
            assertEquals((fp - fm) / (2 * h), dx.getDouble(0, i), 1e-8, "gelu'(" + v + ")");
        }
    }

    @Test
    void fullyMaskedSoftmaxRowIsFiniteAndMaskedKeysGetZeroWeight() {
        for (DataType dt : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray s = rand(new Random(3), 2, 1, 3, 4).castTo(dt);
            INDArray mask = Nd4j.createFromArray(new double[][] {{1, 1, 0, 0}, {0, 0, 0, 0}}).castTo(dt);
            INDArray bias = SoftmaxOps.keyMaskBias(mask, dt, WS, ArrayType.FF_WORKING_MEM);
            SoftmaxOps.forwardInPlace(s, bias, SoftmaxOps.causalBias(4, dt).get(
                    org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3), org.nd4j.linalg.indexing.NDArrayIndex.all()));
            assertFalse(s.isNaN().any(), dt + ": NaN in a fully masked row");
            assertFalse(s.isInfinite().any());
            // Sample 0: keys 2, 3 masked, plus causal (query 0 sees key 0 only).
            assertEquals(1.0, s.getDouble(0, 0, 0, 0), 1e-6);
            for (int i = 0; i < 3; i++) {
                assertEquals(0.0, s.getDouble(0, 0, i, 2), 0.0);
                assertEquals(0.0, s.getDouble(0, 0, i, 3), 0.0);
                assertEquals(1.0, s.get(org.nd4j.linalg.indexing.NDArrayIndex.point(1),
                        org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(i),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()).sumNumber().doubleValue(), 1e-6);
            }
        }
    }

    @Test
    void largeFloatScoresWithFullyMaskedRowsStayFinite() {
        // Float skips the explicit max subtraction (ND4J's float softmax is stable): check at a realistic size.
        INDArray s = gaussian(new Random(5), 8, 4, 65, 65).muli(30).castTo(DataType.FLOAT);
        INDArray mask = Nd4j.ones(DataType.FLOAT, 8, 65);
        mask.getRow(3).assign(0);
        mask.get(org.nd4j.linalg.indexing.NDArrayIndex.point(5), org.nd4j.linalg.indexing.NDArrayIndex.interval(10, 65))
                .assign(0);
        SoftmaxOps.forwardInPlace(s, SoftmaxOps.keyMaskBias(mask, DataType.FLOAT, WS, ArrayType.FF_WORKING_MEM),
                SoftmaxOps.causalBias(65, DataType.FLOAT));
        assertFalse(s.isNaN().any() || s.isInfinite().any());
        INDArray sums = s.sum(3);
        assertTrue(sums.sub(1.0).amaxNumber().doubleValue() < 1e-4, "rows sum to 1");
        assertEquals(0.0, s.get(org.nd4j.linalg.indexing.NDArrayIndex.point(5), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.interval(10, 65))
                .amaxNumber().doubleValue(), 0.0);
    }

    private static INDArray gaussian(Random r, long... shape) {
        return rand(r, shape);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Multi-head attention against plain per-head loops.

    @Test
    void selfAttentionMatchesBruteForceWithMaskAndCausal() {
        for (boolean causal : new boolean[] {false, true}) {
            Random r = new Random(causal ? 11 : 12);
            int b = 3;
            int t = 6;
            int c = 8;
            int h = 2;
            INDArray x = rand(r, (long) b * t, c);
            INDArray wqkv = rand(r, c, 3 * c).muli(0.4);
            INDArray bqkv = rand(r, 1, 3 * c).muli(0.1);
            INDArray wo = rand(r, c, c).muli(0.4);
            INDArray bo = rand(r, 1, c).muli(0.1);
            double[][] mask = {{1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0}, {1, 0, 0, 0, 0, 0}};
            INDArray m = Nd4j.createFromArray(mask);

            MultiHeadAttention mha = new MultiHeadAttention(h, causal);
            INDArray out = mha.forward(x, null, b, m, MultiHeadAttention.Weights.selfAttention(wqkv, bqkv, wo, bo),
                    true, WS);
            INDArray ref = bruteForce(x, x, b, t, t, h, wqkv.get(all(), interval(0, c)),
                    wqkv.get(all(), interval(c, 2 * c)), wqkv.get(all(), interval(2 * c, 3 * c)),
                    bqkv.get(all(), interval(0, c)), bqkv.get(all(), interval(c, 2 * c)),
                    bqkv.get(all(), interval(2 * c, 3 * c)), wo, bo, mask, causal);
            double diff = out.sub(ref).amaxNumber().doubleValue();
            assertTrue(diff < 1e-10, "causal=" + causal + ": max |MHA - brute force| = " + diff);
        }
    }

    @Test
    void crossAttentionMatchesBruteForceWithKeyMask() {
        Random r = new Random(21);
        int b = 2;
        int tq = 4;
        int tk = 7;
        int cq = 6;
        int ckv = 5;
        int h = 3;
        INDArray xq = rand(r, (long) b * tq, cq);
        INDArray xkv = rand(r, (long) b * tk, ckv);
        INDArray wq = rand(r, cq, cq).muli(0.4);
        INDArray bq = rand(r, 1, cq).muli(0.1);
        INDArray wkv = rand(r, ckv, 2 * cq).muli(0.4);
        INDArray bkv = rand(r, 1, 2 * cq).muli(0.1);
        INDArray wo = rand(r, cq, cq).muli(0.4);
        INDArray bo = rand(r, 1, cq).muli(0.1);
        double[][] mask = {{1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 0, 0, 0, 0}};

        MultiHeadAttention mha = new MultiHeadAttention(h, false);
        INDArray out = mha.forward(xq, xkv, b, Nd4j.createFromArray(mask),
                MultiHeadAttention.Weights.crossAttention(wq, bq, wkv, bkv, wo, bo), false, WS);
        INDArray ref = bruteForce(xq, xkv, b, tq, tk, h, wq, wkv.get(all(), interval(0, cq)),
                wkv.get(all(), interval(cq, 2 * cq)), bq, bkv.get(all(), interval(0, cq)),
                bkv.get(all(), interval(cq, 2 * cq)), wo, bo, mask, false);
        double diff = out.sub(ref).amaxNumber().doubleValue();
        assertTrue(diff < 1e-10, "max |MHA - brute force| = " + diff);
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex all() {
        return org.nd4j.linalg.indexing.NDArrayIndex.all();
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex interval(long a, long b) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(a, b);
    }

    /** Plain loops: per sample, per head, per query: scores, masked softmax, weighted sum; then Wo. */
    static INDArray bruteForce(INDArray xq, INDArray xkv, int b, int tq, int tk, int h, INDArray wq, INDArray wk,
                               INDArray wv, INDArray bq, INDArray bk, INDArray bv, INDArray wo, INDArray bo,
                               double[][] mask, boolean causal) {
        double[][] q = toArray(xq.mmul(wq).addRowVector(bq));
        double[][] k = toArray(xkv.mmul(wk).addRowVector(bk));
        double[][] v = toArray(xkv.mmul(wv).addRowVector(bv));
        int width = q[0].length;
        int d = width / h;
        double[][] heads = new double[b * tq][width];
        for (int s = 0; s < b; s++) {
            for (int head = 0; head < h; head++) {
                for (int i = 0; i < tq; i++) {
                    double[] sc = new double[tk];
                    boolean any = false;
                    for (int j = 0; j < tk; j++) {
                        boolean visible = mask[s][j] > 0 && !(causal && j > i);
                        any |= visible;
                    }
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < tk; j++) {
                        double dot = 0;
                        for (int e = 0; e < d; e++) {
                            dot += q[s * tq + i][head * d + e] * k[s * tk + j][head * d + e];
                        }
                        sc[j] = dot / Math.sqrt(d);
                        boolean visible = mask[s][j] > 0 && !(causal && j > i);
                        if (!visible && any) {
                            sc[j] = Double.NEGATIVE_INFINITY;
                        }
                        max = Math.max(max, sc[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < tk; j++) {
                        sc[j] = Math.exp(sc[j] - max);
                        sum += sc[j];
                    }
                    for (int e = 0; e < d; e++) {
                        double acc = 0;
                        for (int j = 0; j < tk; j++) {
                            acc += sc[j] / sum * v[s * tk + j][head * d + e];
                        }
                        heads[s * tq + i][head * d + e] = acc;
                    }
                }
            }
        }
        return Nd4j.createFromArray(heads).mmul(wo).addRowVector(bo);
    }

    private static double[][] toArray(INDArray a) {
        return a.toDoubleMatrix();
    }
}
