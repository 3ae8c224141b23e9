package ai.chorus.models.blocks;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Multi-head scaled dot-product attention with input and output projections and an explicit backward pass:
 * {@code out = concat_h(softmax(Q_h K_h^T / sqrt(d) + mask) V_h) Wo + bo}, {@code Q = hq Wq + bq},
 * {@code K = hkv Wk + bk}, {@code V = hkv Wv + bv}, with D = attention width, H heads of d = D/H channels.
 *
 * <p>Activations are token rows: {@code hq} [B*Tq, Cq] and {@code hkv} [B*Tk, Ckv] (row b*T + t). Two modes:
 * <ul>
 *   <li>self-attention ({@code hkv == null}): one GEMM with the fused [Cq, 3D] = [Wq | Wk | Wv];</li>
 *   <li>cross-attention: Q from {@code hq} ([Cq, D]), K and V from {@code hkv} with the fused [Ckv, 2D].</li>
 * </ul>
 * The per-head views [B, H, T, d] are strided views of the projection outputs (no copies); the six attention
 * products are batched {@link Mmul}s over [B, H]; each head's output is written straight into the [B*Tq, D]
 * rows the output projection reads. The key mask [B, Tk] (1 real, 0 padding, nullable) and the causal flag
 * become additive masks ({@link SoftmaxOps}).
 *
 * <p>One instance per layer/vertex: forward (training) keeps the projections, the attention weights and the
 * head outputs (allocated as {@link ArrayType#INPUT}, i.e. in the workspace that lives until backward is done)
 * and {@link #backward} uses them; nothing is recomputed.
 */
public final class MultiHeadAttention {

    private static final MMulTranspose NN = MMulTranspose.builder().build();
    private static final MMulTranspose NT = MMulTranspose.builder().transposeB(true).build();
    private static final MMulTranspose TN = MMulTranspose.builder().transposeA(true).build();

    /** Projection weights (or their gradients): views into a block's parameter (gradient) vector. */
    public static final class Weights {
        final INDArray wqkv;
        final INDArray bqkv;
        final INDArray wq;
        final INDArray bq;
        final INDArray wkv;
        final INDArray bkv;
        final INDArray wo;
        final INDArray bo;

        private Weights(INDArray wqkv, INDArray bqkv, INDArray wq, INDArray bq, INDArray wkv, INDArray bkv,
                        INDArray wo, INDArray bo) {
            this.wqkv = wqkv;
            this.bqkv = bqkv;
            this.wq = wq;
            this.bq = bq;
            this.wkv = wkv;
            this.bkv = bkv;
            this.wo = wo;
            this.bo = bo;
        }

        /** Self-attention: wqkv [C, 3D] = [Wq | Wk | Wv], bqkv [1, 3D], wo [D, C], bo [1, C]. */
        public static Weights selfAttention(INDArray wqkv, INDArray bqkv, INDArray wo, INDArray bo) {
            return new Weights(wqkv, bqkv, null, null, null, null, wo, bo);
        }

        /** Cross-attention: wq [Cq, D], bq [1, D], wkv [Ckv, 2D] = [Wk | Wv], bkv [1, 2D], wo [D, Cq], bo [1, Cq]. */
        public static Weights crossAttention(INDArray wq, INDArray bq, INDArray wkv, INDArray bkv, INDArray wo,
                                             INDArray bo) {
            return new Weights(null, null, wq, bq, wkv, bkv, wo, bo);
        }
    }

    private final int nHeads;
    private final boolean causal;

    private INDArray causalBias;

    // Kept from the last training forward pass.
    private boolean cached;
    private boolean selfMode;
    private long batch;
    private long tq;
    private long tk;
    private INDArray hq;
    private INDArray hkv;
    private INDArray qkvBuf;
    private INDArray qBuf;
    private INDArray kvBuf;
    private INDArray probs;
    private INDArray heads;

    public MultiHeadAttention(int nHeads, boolean causal) {
        if (nHeads <= 0) {
            throw new IllegalArgumentException("nHeads must be positive, got " + nHeads);
        }
        this.nHeads = nHeads;
        this.causal = causal;
    }

    /**
     * @param hq       query rows [B*Tq, Cq]
     * @param hkv      key/value rows [B*Tk, Ckv], or null for self-attention (keys and values from {@code hq})
     * @param batch    B
     * @param keyMask  [B, Tk], 1 = real, 0 = padding; null = no padding
     * @param training keep what backward needs
     * @return [B*Tq, Cq] in FF working memory
     */
    public INDArray forward(INDArray hq, INDArray hkv, long batch, INDArray keyMask, Weights w, boolean training,
                            LayerWorkspaceMgr ws) {
        boolean self = hkv == null;
        DataType dt = hq.dataType();
        long nq = hq.size(0);
        long nk = self ? nq : hkv.size(0);
        long tq = nq / batch;
        long tk = nk / batch;
        long width = w.wo.size(0);
        if (width % nHeads != 0) {
            throw new IllegalStateException("Attention width " + width + " is not divisible by nHeads " + nHeads);
        }
        long d = width / nHeads;
        if (causal && tq != tk) {
            throw new IllegalStateException("Causal attention needs as many queries as keys, got " + tq + " and " + tk);
        }
        ArrayType keep = training ? ArrayType.INPUT : ArrayType.FF_WORKING_MEM;

        INDArray qkv = null;
        INDArray q = null;
        INDArray kv = null;
        if (self) {
            qkv = ws.createUninitialized(keep, dt, new long[] {nq, 3 * width}, 'c');
            Nd4j.gemm(hq, w.wqkv, qkv, false, false, 1.0, 0.0);
            Nd4j.exec(new AddOp(qkv, w.bqkv, qkv));
        } else {
            q = ws.createUninitialized(keep, dt, new long[] {nq, width}, 'c');
            Nd4j.gemm(hq, w.wq, q, false, false, 1.0, 0.0);
            Nd4j.exec(new AddOp(q, w.bq, q));
            kv = ws.createUninitialized(keep, dt, new long[] {nk, 2 * width}, 'c');
            Nd4j.gemm(hkv, w.wkv, kv, false, false, 1.0, 0.0);
            Nd4j.exec(new AddOp(kv, w.bkv, kv));
        }
        INDArray q4 = self ? headView(qkv, batch, tq, 3, 0, d) : headView(q, batch, tq, 1, 0, d);
        INDArray k4 = self ? headView(qkv, batch, tq, 3, 1, d) : headView(kv, batch, tk, 2, 0, d);
        INDArray v4 = self ? headView(qkv, batch, tq, 3, 2, d) : headView(kv, batch, tk, 2, 1, d);

        // Mmul with beta = 0 does not read its output (checked: NaN-filled outputs come back clean).
        INDArray p = ws.createUninitialized(keep, dt, new long[] {batch, nHeads, tq, tk}, 'c');
        Nd4j.exec(new Mmul(q4, k4, p, 1.0 / Math.sqrt(d), 0.0, NT));
        INDArray keyBias = keyMask == null ? null
                : SoftmaxOps.keyMaskBias(keyMask, dt, ws, ArrayType.FF_WORKING_MEM);
        SoftmaxOps.forwardInPlace(p, keyBias, causal ? causalBias(tq, dt) : null);

        INDArray o = ws.createUninitialized(keep, dt, new long[] {nq, width}, 'c');
        Nd4j.exec(new Mmul(p, v4, headView(o, batch, tq, 1, 0, d), 1.0, 0.0, NN));

        INDArray out = ws.createUninitialized(ArrayType.FF_WORKING_MEM, dt, new long[] {nq, w.wo.size(1)}, 'c');
        Nd4j.gemm(o, w.wo, out, false, false, 1.0, 0.0);
        Nd4j.exec(new AddOp(out, w.bo, out));

        if (training) {
            this.cached = true;
            this.selfMode = self;
            this.batch = batch;
            this.tq = tq;
            this.tk = tk;
            this.hq = hq;
            this.hkv = hkv;
            this.qkvBuf = qkv;
            this.qBuf = q;
            this.kvBuf = kv;
            this.probs = p;
            this.heads = o;
        } else {
            clear();
        }
        return out;
    }

    /**
     * Backward of the last training forward. Writes the weight gradients into {@code g} (overwriting) and returns
     * the gradients w.r.t. the inputs, in BP working memory: {@code {dhq [B*Tq, Cq], dhkv [B*Tk, Ckv]}}
     * ({@code dhkv} is null in self-attention mode, where {@code dhq} covers the single input).
     *
     * @param dOut gradient of the output [B*Tq, Cq]
     * @param w    the weights used in forward
     * @param g    gradient views, same mode and shapes as {@code w}
     */
    public INDArray[] backward(INDArray dOut, Weights w, Weights g, LayerWorkspaceMgr ws) {
        if (!cached) {
            throw new IllegalStateException("MultiHeadAttention.backward needs a training forward pass first");
        }
        ArrayType bp = ArrayType.BP_WORKING_MEM;
        DataType dt = dOut.dataType();
        long nq = batch * tq;
        long nk = batch * tk;
        long width = w.wo.size(0);
        long d = width / nHeads;
        double scale = 1.0 / Math.sqrt(d);

        Nd4j.gemm(heads, dOut, g.wo, true, false, 1.0, 0.0);
        RowOps.colSums(dOut, g.bo);
        INDArray dHeads = ws.createUninitialized(bp, dt, new long[] {nq, width}, 'c');
        Nd4j.gemm(dOut, w.wo, dHeads, false, true, 1.0, 0.0);
        INDArray dO4 = headView(dHeads, batch, tq, 1, 0, d);

        INDArray q4 = selfMode ? headView(qkvBuf, batch, tq, 3, 0, d) : headView(qBuf, batch, tq, 1, 0, d);
        INDArray k4 = selfMode ? headView(qkvBuf, batch, tq, 3, 1, d) : headView(kvBuf, batch, tk, 2, 0, d);
        INDArray v4 = selfMode ? headView(qkvBuf, batch, tq, 3, 2, d) : headView(kvBuf, batch, tk, 2, 1, d);

        // dQ, dK, dV are written straight into the row layout of the projection gradients.
        INDArray dqkv = selfMode ? ws.createUninitialized(bp, dt, new long[] {nq, 3 * width}, 'c') : null;
        INDArray dq = selfMode ? null : ws.createUninitialized(bp, dt, new long[] {nq, width}, 'c');
        INDArray dkv = selfMode ? null : ws.createUninitialized(bp, dt, new long[] {nk, 2 * width}, 'c');
        INDArray dq4 = selfMode ? headView(dqkv, batch, tq, 3, 0, d) : headView(dq, batch, tq, 1, 0, d);
        INDArray dk4 = selfMode ? headView(dqkv, batch, tq, 3, 1, d) : headView(dkv, batch, tk, 2, 0, d);
        INDArray dv4 = selfMode ? headView(dqkv, batch, tq, 3, 2, d) : headView(dkv, batch, tk, 2, 1, d);

        INDArray dP = ws.createUninitialized(bp, dt, new long[] {batch, nHeads, tq, tk}, 'c');
        Nd4j.exec(new Mmul(dO4, v4, dP, 1.0, 0.0, NT));
        Nd4j.exec(new Mmul(probs, dO4, dv4, 1.0, 0.0, TN));
        SoftmaxOps.backwardInPlace(probs, dP, ws, bp); // dP now holds dScores
        Nd4j.exec(new Mmul(dP, k4, dq4, scale, 0.0, NN));
        Nd4j.exec(new Mmul(dP, q4, dk4, scale, 0.0, TN));

        if (selfMode) {
            Nd4j.gemm(hq, dqkv, g.wqkv, true, false, 1.0, 0.0);
            RowOps.colSums(dqkv, g.bqkv);
            INDArray dh = ws.createUninitialized(bp, dt, new long[] {nq, hq.size(1)}, 'c');
            Nd4j.gemm(dqkv, w.wqkv, dh, false, true, 1.0, 0.0);
            return new INDArray[] {dh, null};
        }
        Nd4j.gemm(hq, dq, g.wq, true, false, 1.0, 0.0);
        RowOps.colSums(dq, g.bq);
        INDArray dhq = ws.createUninitialized(bp, dt, new long[] {nq, hq.size(1)}, 'c');
        Nd4j.gemm(dq, w.wq, dhq, false, true, 1.0, 0.0);

        Nd4j.gemm(hkv, dkv, g.wkv, true, false, 1.0, 0.0);
        RowOps.colSums(dkv, g.bkv);
        INDArray dhkv = ws.createUninitialized(bp, dt, new long[] {nk, hkv.size(1)}, 'c');
        Nd4j.gemm(dkv, w.wkv, dhkv, false, true, 1.0, 0.0);
        return new INDArray[] {dhq, dhkv};
    }

    /** Drops the references kept for backward. */
    public void clear() {
        cached = false;
        hq = null;
        hkv = null;
        qkvBuf = null;
        qBuf = null;
        kvBuf = null;
        probs = null;
        heads = null;
    }

    /**
     * Head {@code part} of rows [B*T, parts*H*d] (columns: part, head, channel) as a strided [B, H, T, d] view.
     */
    static INDArray headView(INDArray rows, long b, long t, int parts, int part, long d) {
        long h = rows.size(1) / (parts * d);
        return rows.reshape('c', b, t, parts, h, d)
                .get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(part), NDArrayIndex.all(),
                        NDArrayIndex.all())
                .permute(0, 2, 1, 3);
    }

    private INDArray causalBias(long t, DataType dt) {
        if (causalBias == null || causalBias.size(0) != t || causalBias.dataType() != dt) {
            causalBias = SoftmaxOps.causalBias(t, dt);
        }
        return causalBias;
    }
}
