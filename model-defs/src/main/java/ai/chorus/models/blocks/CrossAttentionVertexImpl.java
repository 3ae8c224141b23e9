package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;
import java.util.Map;

import static ai.chorus.models.blocks.CrossAttentionVertex.BK;
import static ai.chorus.models.blocks.CrossAttentionVertex.BO;
import static ai.chorus.models.blocks.CrossAttentionVertex.BQ;
import static ai.chorus.models.blocks.CrossAttentionVertex.BV;
import static ai.chorus.models.blocks.CrossAttentionVertex.LNKV_BIAS;
import static ai.chorus.models.blocks.CrossAttentionVertex.LNKV_GAIN;
import static ai.chorus.models.blocks.CrossAttentionVertex.LNQ_BIAS;
import static ai.chorus.models.blocks.CrossAttentionVertex.LNQ_GAIN;
import static ai.chorus.models.blocks.CrossAttentionVertex.WK;
import static ai.chorus.models.blocks.CrossAttentionVertex.WO;
import static ai.chorus.models.blocks.CrossAttentionVertex.WQ;
import static ai.chorus.models.blocks.CrossAttentionVertex.WV;

/**
 * Runtime of {@link CrossAttentionVertex}: two LayerNorms, {@link MultiHeadAttention} in cross mode (Q from the
 * query rows, fused K|V projection from the kv rows), residual add; explicit backward from what forward kept.
 */
public class CrossAttentionVertexImpl extends TrainableVertexImpl<CrossAttentionVertex> {

    private final ParamLayout layout;
    private final MultiHeadAttention attention;
    private Map<String, INDArray> gradientTable;

    private INDArray queryMask;
    private INDArray kvMask;

    // Kept from the last training forward pass.
    private boolean cached;
    private long cB;
    private long cTq;
    private long cTk;
    private INDArray xhatQ;
    private INDArray rstdQ;
    private INDArray xhatKv;
    private INDArray rstdKv;
    private INDArray drop;

    public CrossAttentionVertexImpl(ComputationGraph graph, String name, int vertexIndex, CrossAttentionVertex conf,
                                    INDArray paramsView, boolean initializeParams, DataType dataType) {
        super(graph, name, vertexIndex, dataType, conf, paramsView);
        this.layout = conf.layout();
        Map<String, INDArray> p = layout.views(paramsView);
        if (initializeParams) {
            for (String k : new String[] {WQ, WK, WV, WO}) {
                INDArray v = p.get(k);
                conf.getWeightInit().getWeightInitFunction().init(v.size(0), v.size(1), v.shape(), 'f', v);
            }
            for (String k : new String[] {BQ, BK, BV, BO, LNQ_BIAS, LNKV_BIAS}) {
                p.get(k).assign(0.0);
            }
            p.get(LNQ_GAIN).assign(1.0);
            p.get(LNKV_GAIN).assign(1.0);
        }
        setParamTable(p);
        this.attention = new MultiHeadAttention(conf.getNHeads(), false);
    }

    private MultiHeadAttention.Weights weights(INDArray flat, Map<String, INDArray> m) {
        long q = conf.getQueryChannels();
        return MultiHeadAttention.Weights.crossAttention(m.get(WQ), m.get(BQ),
                layout.span(flat, WK, WV, conf.getKvChannels(), 2 * q), layout.span(flat, BK, BV, 1, 2 * q),
                m.get(WO), m.get(BO));
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr ws) {
        if (!canDoForward()) {
            throw new IllegalStateException("Vertex '" + vertexName + "': inputs not set");
        }
        INDArray query = inputs[0];
        INDArray kv = inputs[1];
        long cq = conf.getQueryChannels();
        long ckv = conf.getKvChannels();
        if (query.rank() != 3 || kv.rank() != 3 || query.size(1) != cq || kv.size(1) != ckv
                || query.size(0) != kv.size(0)) {
            throw new IllegalStateException("Vertex '" + vertexName + "' expects query [B, " + cq + ", Tq] and kv [B, "
                    + ckv + ", Tk], got " + Arrays.toString(query.shape()) + " and " + Arrays.toString(kv.shape()));
        }
        long b = query.size(0);
        long tq = query.size(2);
        long tk = kv.size(2);
        long nq = b * tq;
        long nk = b * tk;
        DataType dt = query.dataType();
        ArrayType keep = training ? ArrayType.INPUT : ArrayType.FF_WORKING_MEM;
        ArrayType scratch = ArrayType.FF_WORKING_MEM;
        Map<String, INDArray> w = paramTable;

        INDArray qRows = TransformerEncoderLayerImpl.rows(query, ws, scratch);
        INDArray kvRows = TransformerEncoderLayerImpl.rows(kv, ws, scratch);
        INDArray xq = ws.createUninitialized(keep, dt, new long[] {nq, cq}, 'c');
        INDArray rq = ws.createUninitialized(keep, dt, new long[] {nq, 1}, 'c');
        INDArray hq = ws.createUninitialized(keep, dt, new long[] {nq, cq}, 'c');
        LayerNormOps.forward(qRows, w.get(LNQ_GAIN), w.get(LNQ_BIAS), conf.getLayerNormEps(), xq, rq, hq, ws, scratch);
        INDArray xkv = ws.createUninitialized(keep, dt, new long[] {nk, ckv}, 'c');
        INDArray rkv = ws.createUninitialized(keep, dt, new long[] {nk, 1}, 'c');
        INDArray hkv = ws.createUninitialized(keep, dt, new long[] {nk, ckv}, 'c');
        LayerNormOps.forward(kvRows, w.get(LNKV_GAIN), w.get(LNKV_BIAS), conf.getLayerNormEps(), xkv, rkv, hkv, ws,
                scratch);

        INDArray att = attention.forward(hq, hkv, b, checkMask(kvMask, b, tk, "kv"), weights(params, w), training,
                ws);
        INDArray d = null;
        if (training && conf.getDropout() > 0) {
            d = ResidualDropout.sampleMask(conf.getDropout(), dt, new long[] {nq, cq}, ws, keep);
            Nd4j.exec(new MulOp(att, d, att));
        }
        INDArray outBtc = ws.createUninitialized(ArrayType.ACTIVATIONS, dt, new long[] {b, tq, cq}, 'c');
        INDArray y = outBtc.reshape('c', nq, cq);
        Nd4j.exec(new AddOp(qRows, att, y));
        INDArray qm = maskColumn(checkMask(queryMask, b, tq, "query"), dt);
        if (qm != null) {
            Nd4j.exec(new MulOp(y, qm, y));
        }

        if (training) {
            cached = true;
            cB = b;
            cTq = tq;
            cTk = tk;
            xhatQ = xq;
            rstdQ = rq;
            xhatKv = xkv;
            rstdKv = rkv;
            drop = d;
        } else {
            clearCache();
        }
        return outBtc.permute(0, 2, 1);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr ws) {
        if (!cached || epsilon == null) {
            throw new IllegalStateException("Vertex '" + vertexName
                    + "': backward needs a training forward pass (doForward(true, ...)) and an epsilon");
        }
        long cq = conf.getQueryChannels();
        long ckv = conf.getKvChannels();
        long nq = cB * cTq;
        long nk = cB * cTk;
        DataType dt = xhatQ.dataType();
        ArrayType bp = ArrayType.BP_WORKING_MEM;
        Map<String, INDArray> w = paramTable;
        Map<String, INDArray> g = gradientTable;

        INDArray dy = TransformerEncoderLayerImpl.rows(epsilon, ws, bp);
        INDArray qm = maskColumn(queryMask, dt);
        if (qm != null) {
            INDArray masked = ws.createUninitialized(bp, dt, new long[] {nq, cq}, 'c');
            Nd4j.exec(new MulOp(dy, qm, masked));
            dy = masked;
        }
        INDArray dAtt = dy;
        if (drop != null) {
            dAtt = ws.createUninitialized(bp, dt, new long[] {nq, cq}, 'c');
            Nd4j.exec(new MulOp(dy, drop, dAtt));
        }
        INDArray[] dh = attention.backward(dAtt, weights(params, w), weights(gradientView, g), ws);

        INDArray dqBtc = ws.createUninitialized(ArrayType.ACTIVATION_GRAD, dt, new long[] {cB, cTq, cq}, 'c');
        INDArray dq = dqBtc.reshape('c', nq, cq).assign(dy);
        LayerNormOps.backward(dh[0], xhatQ, rstdQ, w.get(LNQ_GAIN), g.get(LNQ_GAIN), g.get(LNQ_BIAS), dq, true, ws,
                bp);
        INDArray dkvBtc = ws.createUninitialized(ArrayType.ACTIVATION_GRAD, dt, new long[] {cB, cTk, ckv}, 'c');
        LayerNormOps.backward(dh[1], xhatKv, rstdKv, w.get(LNKV_GAIN), g.get(LNKV_GAIN), g.get(LNKV_BIAS),
                dkvBtc.reshape('c', nk, ckv), false, ws, bp);

        Gradient gradient = new DefaultGradient(gradientView);
        for (Map.Entry<String, INDArray> e : g.entrySet()) {
            gradient.gradientForVariable().put(e.getKey(), e.getValue());
        }
        return new Pair<>(gradient, new INDArray[] {dqBtc.permute(0, 2, 1), dkvBtc.permute(0, 2, 1)});
    }

    private static INDArray checkMask(INDArray mask, long b, long t, String which) {
        if (mask != null && (mask.rank() != 2 || mask.size(0) != b || mask.size(1) != t)) {
            throw new IllegalStateException("The " + which + " mask must be [B, T] = [" + b + ", " + t + "], got "
                    + Arrays.toString(mask.shape()));
        }
        return mask;
    }

    private static INDArray maskColumn(INDArray mask, DataType dt) {
        return mask == null ? null : mask.castTo(dt).reshape('c', mask.length(), 1);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        this.gradientView = backpropGradientsViewArray;
        this.gradientTable = layout.views(backpropGradientsViewArray);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        this.queryMask = maskArrays == null ? null : maskArrays[0];
        this.kvMask = maskArrays == null || maskArrays.length < 2 ? null : maskArrays[1];
        return new Pair<>(queryMask, currentMaskState);
    }

    private void clearCache() {
        cached = false;
        xhatQ = null;
        rstdQ = null;
        xhatKv = null;
        rstdKv = null;
        drop = null;
        attention.clear();
    }

    @Override
    public void clear() {
        super.clear();
        clearCache();
    }

    @Override
    public void clearVertex() {
        clear();
    }

}
