package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.AbstractLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.same.Max;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;

/**
 * Runtime of {@link SequencePooling}. Every mode is a weighted sum over positions, out[b] = Σ_t x[b, :, t]·S[b, t],
 * with S one-hot (FIRST, LAST_VALID) or mask/count (MEAN_MASKED); the backward is eps[b, c]·S[b, t]. S is
 * [B, T], built with array ops from the mask by the forward and kept for the backward.
 */
public class SequencePoolingLayer extends AbstractLayer<SequencePooling> {

    /** S of the last training forward (ACTIVATIONS workspace). */
    private transient INDArray weights;

    public SequencePoolingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        checkInput(input);
        long b = input.size(0);
        long c = input.size(1);
        long t = input.size(2);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), new long[] {b, c},
                'c');
        if (layerConf().getMode() == SequencePooling.Mode.FIRST) {
            weights = null; // the backward builds the one-hot S itself: nothing to compute here
            return out.assign(input.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0)));
        }
        INDArray s = weights(input, maskArray, layerConf().getMode(), workspaceMgr,
                training ? ArrayType.ACTIVATIONS : ArrayType.FF_WORKING_MEM);
        weights = training ? s : null;
        // out[b, 1, C] = S[b, 1, T] · x[b, T, C]: one batched matmul on the token-major view.
        INDArray xBtc = TokenRows.btc(input, workspaceMgr, ArrayType.FF_WORKING_MEM);
        Nd4j.matmul(s.reshape('c', b, 1, t), xBtc, out.reshape('c', b, 1, c));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        long b = input.size(0);
        long c = input.size(1);
        long t = input.size(2);
        if (epsilon.rank() != 2 || epsilon.size(0) != b || epsilon.size(1) != c) {
            throw new IllegalStateException(layerId() + ": epsilon must be [" + b + ", " + c + "], got "
                    + Arrays.toString(epsilon.shape()));
        }
        INDArray s = weights != null ? weights
                : weights(input, maskArray, layerConf().getMode(), workspaceMgr, ArrayType.BP_WORKING_MEM);
        weights = null;
        INDArray eps = TokenRows.contiguous(epsilon, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray epsIn = TokenRows.newSequence(workspaceMgr, ArrayType.ACTIVATION_GRAD, input.dataType(), b, c, t);
        // epsIn[b, t, C] = S[b, t, 1] · eps[b, 1, C]: a batched outer product (exact zeros off the pooled positions).
        Nd4j.matmul(s.reshape('c', b, t, 1), eps.reshape('c', b, 1, c), epsIn.permute(0, 2, 1));
        return new Pair<>(new DefaultGradient(), epsIn);
    }

    /**
     * The pooling weights S [B, T] of {@code mode}: one-hot at 0 (FIRST), one-hot at the last real position
     * (LAST_VALID), mask / max(1, count) (MEAN_MASKED). Array ops only, every array from {@code mgr}.
     */
    static INDArray weights(INDArray x, INDArray mask, SequencePooling.Mode mode, LayerWorkspaceMgr mgr,
                            ArrayType type) {
        long b = x.size(0);
        long t = x.size(2);
        DataType dt = x.dataType();
        INDArray s = mgr.create(type, dt, new long[] {b, t}, 'c');
        switch (mode) {
            case FIRST:
                s.getColumn(0).assign(1);
                return s;
            case LAST_VALID: {
                if (mask == null) {
                    s.getColumn(t - 1).assign(1);
                    return s;
                }
                // ramp[b, t] = mask[b, t]·(t + 1), with position 0 raised to at least 0.5 so that an all-padding
                // row picks position 0; its row maximum sits exactly at the last real position.
                INDArray steps = mgr.createUninitialized(type, dt, new long[] {t}, 'c').assign(1).cumsumi(0);
                INDArray ramp = mgr.createUninitialized(type, dt, new long[] {b, t}, 'c');
                Broadcast.mul(castTo(mask, dt, mgr, type), steps, ramp, 1);
                Transforms.max(ramp.getColumn(0), 0.5, false);
                INDArray max = mgr.createUninitialized(type, dt, new long[] {b}, 'c');
                Nd4j.exec(new Max(ramp, max, 1));
                // S = 1 - min(1, 2·|ramp - max|): other ramp values differ from the max by >= 0.5, so exactly one-hot.
                Broadcast.sub(ramp, max, s, 0);
                Transforms.abs(s, false).muli(2.0);
                Transforms.min(s, 1.0, false);
                return s.rsubi(1.0);
            }
            case MEAN_MASKED: {
                if (mask == null) {
                    return s.assign(1.0 / t);
                }
                s.assign(castTo(mask, dt, mgr, type));
                INDArray count = mgr.createUninitialized(type, dt, new long[] {b}, 'c');
                s.sum(count, 1);
                Transforms.max(count, 1.0, false); // an all-padding row pools to zeros, not NaN
                return Broadcast.div(s, count, s, 0);
            }
            default:
                throw new IllegalStateException("Unknown mode " + mode);
        }
    }

    private static INDArray castTo(INDArray mask, DataType dt, LayerWorkspaceMgr mgr, ArrayType type) {
        return mask.dataType() == dt ? mask : mgr.castTo(type, dt, mask, false);
    }

    private void checkInput(INDArray x) {
        if (x.rank() != 3) {
            throw new IllegalStateException(layerId() + ": expected a sequence [B, C, T], got "
                    + Arrays.toString(x.shape()));
        }
        LearnedPositionsLayer.checkMask(maskArray, x, layerId());
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState,
                                                          int minibatchSize) {
        // Keep the mask for pooling; the pooled output has no time axis, hence no mask.
        this.maskArray = maskArray;
        this.maskState = null;
        return null;
    }

    @Override
    public void clear() {
        super.clear();
        weights = null;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public void clearNoiseWeightParams() {
    }
}
