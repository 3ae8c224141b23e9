package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * Runtime of {@link PatchEmbedding}. Patches are cut by one reshape + permute copy (im2col for non-overlapping
 * patches), projected by one gemm; the backward is two gemms and the inverse permute.
 */
public class PatchEmbeddingLayer extends BaseLayer<PatchEmbedding> {

    /** The [B·N, Cin·P·P] patch matrix of the last training forward (ACTIVATIONS workspace), for dW. */
    private transient INDArray patches;

    public PatchEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        PatchEmbedding c = layerConf();
        checkInput(c);
        long b = input.size(0);
        long n = c.numPatches();
        long t = c.numTokens();
        long width = c.getNOut();

        INDArray p = cutPatches(input, c, workspaceMgr, training ? ArrayType.ACTIVATIONS : ArrayType.FF_WORKING_MEM);
        INDArray out = TokenRows.newSequence(workspaceMgr, ArrayType.ACTIVATIONS, dataType, b, width, t);
        INDArray btc = out.permute(0, 2, 1);
        // With a class token the patch rows are not contiguous in the output (one row gap per sample).
        INDArray z = c.isClassToken()
                ? workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, dataType, new long[] {b * n, width}, 'c')
                : btc.reshape('c', b * n, width);
        Nd4j.gemm(p, getParam(PatchEmbedding.WEIGHT), z, false, false, 1.0, 0.0);
        if (c.isHasBias()) {
            z.addiRowVector(getParam(PatchEmbedding.BIAS));
        }
        if (c.isClassToken()) {
            btc.get(NDArrayIndex.all(), NDArrayIndex.interval(1, t), NDArrayIndex.all())
                    .assign(z.reshape('c', b, n, width));
            INDArray clsRows = btc.get(NDArrayIndex.all(), NDArrayIndex.point(0), NDArrayIndex.all());
            Broadcast.copy(clsRows, getParam(PatchEmbedding.CLASS_TOKEN), clsRows, 1);
        }
        LearnedPositionsLayer.addPositions(out, getParam(PatchEmbedding.POSITIONS), out);
        patches = training ? p : null;
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        PatchEmbedding c = layerConf();
        long b = input.size(0);
        long n = c.numPatches();
        long t = c.numTokens();
        long width = c.getNOut();
        if (epsilon.rank() != 3 || epsilon.size(0) != b || epsilon.size(1) != width || epsilon.size(2) != t) {
            throw new IllegalStateException(layerId() + ": epsilon must be [" + b + ", " + width + ", " + t + "], got "
                    + Arrays.toString(epsilon.shape()));
        }
        INDArray p = patches != null ? patches : cutPatches(input, c, workspaceMgr, ArrayType.BP_WORKING_MEM);

        INDArray gradPos = gradientViews.get(PatchEmbedding.POSITIONS);
        LearnedPositionsLayer.positionGradient(epsilon, gradPos, workspaceMgr, ArrayType.BP_WORKING_MEM);
        if (c.isClassToken()) {
            // out[:, :, 0] = cls + pos[:, 0], so dCls = sum over B of eps[:, :, 0] = dPos[:, 0].
            gradientViews.get(PatchEmbedding.CLASS_TOKEN).assign(gradPos.get(NDArrayIndex.all(), NDArrayIndex.point(0)));
        }

        INDArray dz;
        if (c.isClassToken()) {
            dz = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, new long[] {b, n, width}, 'c');
            INDArray epsBtc = TokenRows.btc(epsilon, workspaceMgr, ArrayType.BP_WORKING_MEM);
            dz.assign(epsBtc.get(NDArrayIndex.all(), NDArrayIndex.interval(1, t), NDArrayIndex.all()));
            dz = dz.reshape('c', b * n, width);
        } else {
            dz = TokenRows.rows(epsilon, workspaceMgr, ArrayType.BP_WORKING_MEM);
        }
        if (c.isHasBias()) {
            // db = sum over samples and patches of dZ = sum of the patch tokens' position gradients (already
            // summed over B): a [N, C] column sum instead of a [B·N, C] one (measured 2.3 ms at B·N = 4096).
            INDArray patchRows = gradPos.transpose().get(NDArrayIndex.interval(t - n, t), NDArrayIndex.all());
            patchRows.sum(gradientViews.get(PatchEmbedding.BIAS), 0);
        }
        Nd4j.gemm(p, dz, gradientViews.get(PatchEmbedding.WEIGHT), true, false, 1.0, 0.0);

        // Input gradient: dPatches = dZ · W^T, scattered back by the inverse of the patch permutation.
        INDArray dPatches = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType,
                new long[] {b * n, c.patchLength()}, 'c');
        Nd4j.gemm(dz, getParam(PatchEmbedding.WEIGHT), dPatches, false, true, 1.0, 0.0);
        INDArray epsIn = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, input.shape(), 'c');
        uncutPatches(dPatches, epsIn, c, workspaceMgr);

        Gradient g = new DefaultGradient(gradientsFlattened);
        for (String key : EmbeddingParamInitializer.INSTANCE.paramKeys(c)) {
            g.gradientForVariable().put(key, gradientViews.get(key));
        }
        patches = null;
        return new Pair<>(g, epsIn);
    }

    /**
     * The [B·N, Cin·P·P] patch matrix: row b·N + i·(W/P) + j holds patch (i, j) of sample b, ordered
     * (channel, row, column), in a new array of {@code type}. The 6-d permutation [B, Cin, H/P, P, W/P, P] →
     * [B, H/P, W/P, Cin, P, P] is done as two 4-d ones, each with contiguous inner runs: libnd4j's generic 6-d
     * copy measured ~10x slower (64×3×64×64, P = 8: 10.8 ms against 1.0 ms, one thread).
     */
    static INDArray cutPatches(INDArray image, PatchEmbedding c, LayerWorkspaceMgr mgr, ArrayType type) {
        long b = image.size(0);
        long cin = c.getInputChannels();
        long ps = c.getPatchSize();
        long hp = c.getInputHeight() / ps;
        long wp = c.getInputWidth() / ps;
        // Scratch lives in the working memory of the pass that cuts (forward, or backward as a fallback).
        ArrayType scratch = type == ArrayType.BP_WORKING_MEM ? ArrayType.BP_WORKING_MEM : ArrayType.FF_WORKING_MEM;
        INDArray x = TokenRows.contiguous(image, mgr, scratch);
        // [B·Cin·Hp, P, Wp, P] → [B·Cin·Hp, Wp, P, P]: rows of each patch gathered.
        INDArray rowsGathered = mgr.createUninitialized(scratch, image.dataType(),
                new long[] {b * cin * hp, wp, ps, ps}, 'c');
        rowsGathered.assign(x.reshape('c', b * cin * hp, ps, wp, ps).permute(0, 2, 1, 3));
        // [B, Cin, Hp·Wp, P·P] → [B, Hp·Wp, Cin, P·P]: channels moved inside the patch.
        INDArray p = mgr.createUninitialized(type, image.dataType(), new long[] {b, hp * wp, cin, ps * ps}, 'c');
        p.assign(rowsGathered.reshape('c', b, cin, hp * wp, ps * ps).permute(0, 2, 1, 3));
        return p.reshape('c', b * hp * wp, cin * ps * ps);
    }

    /** The inverse of {@link #cutPatches}: writes patch-matrix gradients [B·N, Cin·P·P] back into image layout. */
    static void uncutPatches(INDArray dPatches, INDArray epsIn, PatchEmbedding c, LayerWorkspaceMgr mgr) {
        long b = epsIn.size(0);
        long cin = c.getInputChannels();
        long ps = c.getPatchSize();
        long hp = c.getInputHeight() / ps;
        long wp = c.getInputWidth() / ps;
        INDArray rowsGathered = mgr.createUninitialized(ArrayType.BP_WORKING_MEM, epsIn.dataType(),
                new long[] {b * cin * hp, wp, ps, ps}, 'c');
        rowsGathered.reshape('c', b, cin, hp * wp, ps * ps).permute(0, 2, 1, 3)
                .assign(dPatches.reshape('c', b, hp * wp, cin, ps * ps));
        epsIn.reshape('c', b * cin * hp, ps, wp, ps).permute(0, 2, 1, 3).assign(rowsGathered);
    }

    private void checkInput(PatchEmbedding c) {
        long[] s = input.shape();
        if (input.rank() != 4 || s[1] != c.getInputChannels() || s[2] != c.getInputHeight()
                || s[3] != c.getInputWidth()) {
            throw new IllegalStateException(layerId() + ": expected input [B, " + c.getInputChannels() + ", "
                    + c.getInputHeight() + ", " + c.getInputWidth() + "] (NCHW), got " + Arrays.toString(s));
        }
        if (input.dataType() != dataType) {
            throw new IllegalStateException(layerId() + ": input data type " + input.dataType()
                    + " differs from the layer's " + dataType);
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        // Images carry no mask, and every output token is real.
        this.maskArray = null;
        return null;
    }

    @Override
    public void clear() {
        super.clear();
        patches = null;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return layerConf().isHasBias();
    }
}
