package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
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

import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.B1;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.B2;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.BO;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.BQ;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.BV;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.LN1_BIAS;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.LN1_GAIN;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.LN2_BIAS;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.LN2_GAIN;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.W1;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.W2;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.WO;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.WQ;
import static ai.chorus.models.blocks.TransformerEncoderParamInitializer.WV;

/**
 * Runtime of {@link TransformerEncoderLayer}. All work is on token rows [N = B*T, C]: seven GEMMs forward
 * (fused QKV, output projection, MLP up and down, plus small ones-vector GEMMs for LayerNorm statistics), six
 * batched attention products, and whole-matrix element-wise ops; backward mirrors them from what forward kept.
 */
public class TransformerEncoderLayerImpl extends BaseLayer<TransformerEncoderLayer> {

    private MultiHeadAttention attention;

    // Kept from the last training forward pass (INPUT workspace: lives until backward is done).
    private boolean cached;
    private long cB;
    private long cT;
    private INDArray xhat1;
    private INDArray rstd1;
    private INDArray drop1;
    private INDArray xhat2;
    private INDArray rstd2;
    private INDArray h2;
    private INDArray a1;
    private INDArray sig;
    private INDArray act;
    private INDArray drop2;

    public TransformerEncoderLayerImpl(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    private MultiHeadAttention attention() {
        if (attention == null) {
            attention = new MultiHeadAttention(layerConf().getNHeads(), layerConf().isCausal());
        }
        return attention;
    }

    private MultiHeadAttention.Weights attentionWeights(INDArray flat, Map<String, INDArray> m) {
        long c = layerConf().getNIn();
        ParamLayout layout = TransformerEncoderParamInitializer.layout(layerConf());
        return MultiHeadAttention.Weights.selfAttention(layout.span(flat, WQ, WV, c, 3 * c),
                layout.span(flat, BQ, BV, 1, 3 * c), m.get(WO), m.get(BO));
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public Type type() {
        return Type.RECURRENT;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr ws) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, ws);
        TransformerEncoderLayer lc = layerConf();
        long c = lc.getNIn();
        if (input.rank() != 3 || input.size(1) != c) {
            throw new IllegalStateException("TransformerEncoderLayer " + layerId() + " expects input [B, " + c
                    + ", T], got " + Arrays.toString(input.shape()));
        }
        long b = input.size(0);
        long t = input.size(2);
        long n = b * t;
        long f = lc.hiddenSize();
        DataType dt = input.dataType();
        ArrayType keep = training ? ArrayType.INPUT : ArrayType.FF_WORKING_MEM;
        ArrayType scratch = ArrayType.FF_WORKING_MEM;
        double p = lc.getDropout();
        boolean dropping = training && p > 0;
        Map<String, INDArray> w = params;

        INDArray x = rows(input, ws, scratch);
        INDArray maskCol = maskColumn(n, dt);

        // x1 = x + Dropout(MHA(LN1(x))), written into the output buffer.
        INDArray xh1 = ws.createUninitialized(keep, dt, new long[] {n, c}, 'c');
        INDArray rs1 = ws.createUninitialized(keep, dt, new long[] {n, 1}, 'c');
        INDArray ln1 = ws.createUninitialized(keep, dt, new long[] {n, c}, 'c');
        LayerNormOps.forward(x, w.get(LN1_GAIN), w.get(LN1_BIAS), lc.getLayerNormEps(), xh1, rs1, ln1, ws, scratch);
        INDArray att = attention().forward(ln1, null, b, maskArray, attentionWeights(paramsFlattened, w), training,
                ws);
        INDArray d1 = null;
        if (dropping) {
            d1 = ResidualDropout.sampleMask(p, dt, new long[] {n, c}, ws, keep);
            Nd4j.exec(new MulOp(att, d1, att));
        }
        INDArray outBtc = ws.createUninitialized(ArrayType.ACTIVATIONS, dt, new long[] {b, t, c}, 'c');
        INDArray y = outBtc.reshape('c', n, c);
        Nd4j.exec(new AddOp(x, att, y));

        // y = x1 + Dropout(MLP(LN2(x1)))
        INDArray xh2 = ws.createUninitialized(keep, dt, new long[] {n, c}, 'c');
        INDArray rs2 = ws.createUninitialized(keep, dt, new long[] {n, 1}, 'c');
        INDArray ln2 = ws.createUninitialized(keep, dt, new long[] {n, c}, 'c');
        LayerNormOps.forward(y, w.get(LN2_GAIN), w.get(LN2_BIAS), lc.getLayerNormEps(), xh2, rs2, ln2, ws, scratch);
        INDArray pre = ws.createUninitialized(keep, dt, new long[] {n, f}, 'c');
        Nd4j.gemm(ln2, w.get(W1), pre, false, false, 1.0, 0.0);
        Nd4j.exec(new AddOp(pre, w.get(B1), pre));
        INDArray s = ws.createUninitialized(keep, dt, new long[] {n, f}, 'c');
        INDArray g = ws.createUninitialized(keep, dt, new long[] {n, f}, 'c');
        GeluOps.forward(pre, g, s);
        INDArray mlp = ws.createUninitialized(scratch, dt, new long[] {n, c}, 'c');
        Nd4j.gemm(g, w.get(W2), mlp, false, false, 1.0, 0.0);
        Nd4j.exec(new AddOp(mlp, w.get(B2), mlp));
        INDArray d2 = null;
        if (dropping) {
            d2 = ResidualDropout.sampleMask(p, dt, new long[] {n, c}, ws, keep);
            Nd4j.exec(new MulOp(mlp, d2, mlp));
        }
        Nd4j.exec(new AddOp(y, mlp, y));
        if (maskCol != null) {
            // Padded positions output 0 (their values are never used by real positions anyway).
            Nd4j.exec(new MulOp(y, maskCol, y));
        }

        if (training) {
            cached = true;
            cB = b;
            cT = t;
            xhat1 = xh1;
            rstd1 = rs1;
            drop1 = d1;
            xhat2 = xh2;
            rstd2 = rs2;
            h2 = ln2;
            a1 = pre;
            sig = s;
            act = g;
            drop2 = d2;
        } else {
            clearCache();
        }
        return outBtc.permute(0, 2, 1);
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr ws) {
        if (!cached) {
            throw new IllegalStateException("TransformerEncoderLayer " + layerId()
                    + ": backprop needs a training forward pass (activate(true, ...)) first");
        }
        TransformerEncoderLayer lc = layerConf();
        long c = lc.getNIn();
        long b = cB;
        long t = cT;
        long n = b * t;
        long f = lc.hiddenSize();
        DataType dt = xhat1.dataType();
        ArrayType bp = ArrayType.BP_WORKING_MEM;
        Map<String, INDArray> w = params;
        Map<String, INDArray> gv = gradientViews;

        INDArray maskCol = maskColumn(n, dt);
        INDArray dy = rows(epsilon, ws, bp);
        if (maskCol != null) {
            // The output at padded positions is 0, so their incoming gradient does not count.
            INDArray masked = ws.createUninitialized(bp, dt, new long[] {n, c}, 'c');
            Nd4j.exec(new MulOp(dy, maskCol, masked));
            dy = masked;
        }

        // MLP branch.
        INDArray dMlp = dy;
        if (drop2 != null) {
            dMlp = ws.createUninitialized(bp, dt, new long[] {n, c}, 'c');
            Nd4j.exec(new MulOp(dy, drop2, dMlp));
        }
        Nd4j.gemm(act, dMlp, gv.get(W2), true, false, 1.0, 0.0);
        RowOps.colSums(dMlp, gv.get(B2));
        INDArray dAct = ws.createUninitialized(bp, dt, new long[] {n, f}, 'c');
        Nd4j.gemm(dMlp, w.get(W2), dAct, false, true, 1.0, 0.0);
        GeluOps.backward(a1, sig, dAct, dAct, ws, bp);
        Nd4j.gemm(h2, dAct, gv.get(W1), true, false, 1.0, 0.0);
        RowOps.colSums(dAct, gv.get(B1));
        INDArray dLn2 = ws.createUninitialized(bp, dt, new long[] {n, c}, 'c');
        Nd4j.gemm(dAct, w.get(W1), dLn2, false, true, 1.0, 0.0);
        INDArray dx1 = ws.createUninitialized(bp, dt, new long[] {n, c}, 'c').assign(dy);
        LayerNormOps.backward(dLn2, xhat2, rstd2, w.get(LN2_GAIN), gv.get(LN2_GAIN), gv.get(LN2_BIAS), dx1, true,
                ws, bp);

        // Attention branch.
        INDArray dAtt = dx1;
        if (drop1 != null) {
            dAtt = ws.createUninitialized(bp, dt, new long[] {n, c}, 'c');
            Nd4j.exec(new MulOp(dx1, drop1, dAtt));
        }
        INDArray dLn1 = attention().backward(dAtt, attentionWeights(paramsFlattened, w),
                attentionWeights(gradientsFlattened, gv), ws)[0];
        INDArray epsBtc = ws.createUninitialized(ArrayType.ACTIVATION_GRAD, dt, new long[] {b, t, c}, 'c');
        INDArray dx = epsBtc.reshape('c', n, c).assign(dx1);
        LayerNormOps.backward(dLn1, xhat1, rstd1, w.get(LN1_GAIN), gv.get(LN1_GAIN), gv.get(LN1_BIAS), dx, true,
                ws, bp);

        Gradient gradient = new DefaultGradient(gradientsFlattened);
        for (Map.Entry<String, INDArray> e : gv.entrySet()) {
            gradient.gradientForVariable().put(e.getKey(), e.getValue());
        }
        INDArray eps = backpropDropOutIfPresent(epsBtc.permute(0, 2, 1));
        return new Pair<>(gradient, eps);
    }

    /** Token rows [B*T, C] of a [B, C, T] array: a view if token-major, else a copy in {@code copyType}. */
    static INDArray rows(INDArray x, LayerWorkspaceMgr ws, ArrayType copyType) {
        long b = x.size(0);
        long c = x.size(1);
        long t = x.size(2);
        if (TokenRows.isTokenMajor(x)) {
            return x.permute(0, 2, 1).reshape('c', b * t, c);
        }
        // assign into a c-order buffer: much faster than dup() of a permuted view in ND4J M2.1.
        INDArray btc = ws.createUninitialized(copyType, x.dataType(), new long[] {b, t, c}, 'c');
        btc.assign(x.permute(0, 2, 1));
        return btc.reshape('c', b * t, c);
    }

    /** The padding mask as a column [B*T, 1] in the layer's data type, or null. */
    private INDArray maskColumn(long n, DataType dt) {
        if (maskArray == null) {
            return null;
        }
        if (maskArray.length() != n) {
            throw new IllegalStateException("TransformerEncoderLayer " + layerId() + ": mask "
                    + Arrays.toString(maskArray.shape()) + " does not match [B, T] of the input (" + n + " steps)");
        }
        return maskArray.castTo(dt).reshape('c', n, 1);
    }

    private void clearCache() {
        cached = false;
        xhat1 = null;
        rstd1 = null;
        drop1 = null;
        xhat2 = null;
        rstd2 = null;
        h2 = null;
        a1 = null;
        sig = null;
        act = null;
        drop2 = null;
        if (attention != null) {
            attention.clear();
        }
    }

    @Override
    public void clear() {
        super.clear();
        clearCache();
    }
}
