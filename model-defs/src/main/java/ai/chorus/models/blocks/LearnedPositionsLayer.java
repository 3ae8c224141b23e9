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
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * Runtime of {@link LearnedPositions}, and the position math shared with {@link PatchEmbeddingLayer} and
 * {@link TokenEmbeddingLayer}.
 */
public class LearnedPositionsLayer extends BaseLayer<LearnedPositions> {

    public LearnedPositionsLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    // ---- shared math -------------------------------------------------------------------------------------------
    // Positions are stored [C, maxLength] in 'f' order, so their memory is [maxLength, C] rows: the first T
    // positions are the first T·C values, one row vector added to each sample's contiguous [T·C] block.

    /**
     * {@code out = x + pos[:, :T]}, broadcast over the minibatch. {@code x}: [B, C, T] in any layout (may be
     * {@code out}); {@code out}: token-major [B, C, T] (see {@link TokenRows}); {@code pos}: [C, maxLength] 'f'.
     */
    static void addPositions(INDArray x, INDArray pos, INDArray out) {
        if (!TokenRows.isTokenMajor(out)) {
            throw new IllegalArgumentException("addPositions writes token-major arrays only");
        }
        INDArray out2 = TokenRows.flat(out.permute(0, 2, 1));
        INDArray src2;
        if (x == out || TokenRows.isTokenMajor(x)) {
            src2 = TokenRows.flat(x.permute(0, 2, 1));
        } else {
            out.permute(0, 2, 1).assign(x.permute(0, 2, 1)); // one strided copy for a foreign layout
            src2 = out2;
        }
        Broadcast.add(src2, positionRow(pos, x.size(2)), out2, 1);
    }

    /**
     * The gradient of {@link #addPositions} with respect to {@code pos}: {@code gradPos[:, :T] = sum over B of eps},
     * zero for the positions beyond T. {@code eps}: [B, C, T], any layout (copied to {@code scratch} if not
     * token-major).
     */
    static void positionGradient(INDArray eps, INDArray gradPos, LayerWorkspaceMgr mgr, ArrayType scratch) {
        long t = eps.size(2);
        if (t < gradPos.size(1)) {
            gradPos.assign(0);
        }
        TokenRows.flat(TokenRows.btc(eps, mgr, scratch)).sum(positionRow(gradPos, t), 0);
    }

    /** {@code eps * mask} (mask [B, T] broadcast over channels), into a new token-major array of {@code type}. */
    static INDArray maskedCopy(INDArray eps, INDArray mask, LayerWorkspaceMgr mgr, ArrayType type) {
        INDArray out = TokenRows.newSequence(mgr, type, eps.dataType(), eps.size(0), eps.size(1), eps.size(2));
        INDArray outBtc = out.permute(0, 2, 1);
        INDArray src = eps;
        if (!TokenRows.isTokenMajor(eps)) {
            outBtc.assign(eps.permute(0, 2, 1));
            src = out;
        }
        INDArray m = mask.dataType() == eps.dataType() ? mask : mgr.castTo(type, eps.dataType(), mask, false);
        Broadcast.mul(src.permute(0, 2, 1), m, outBtc, 0, 1);
        return out;
    }

    static void checkMask(INDArray mask, INDArray x, String who) {
        if (mask != null && (mask.rank() != 2 || mask.size(0) != x.size(0) || mask.size(1) != x.size(2))) {
            throw new IllegalStateException(who + ": mask must be [B, T] = [" + x.size(0) + ", " + x.size(2)
                    + "], got " + Arrays.toString(mask.shape()));
        }
    }

    /** The first {@code t} positions of {@code pos} [C, maxLength] ('f') as one contiguous [t·C] row (a view). */
    static INDArray positionRow(INDArray pos, long t) {
        long c = pos.size(0);
        if (t > pos.size(1)) {
            throw new IllegalStateException("Sequence length " + t + " exceeds the " + pos.size(1)
                    + " learned positions (maxLength)");
        }
        if (pos.stride(0) != 1 || pos.stride(1) != c) {
            throw new IllegalStateException("positions must be stored [C, maxLength] in 'f' order");
        }
        INDArray rowsTc = pos.transpose(); // [maxLength, C], c-contiguous
        return (t == pos.size(1) ? rowsTc : rowsTc.get(NDArrayIndex.interval(0, t), NDArrayIndex.all()))
                .reshape('c', new long[] {t * c});
    }

    // ---- layer ---------------------------------------------------------------------------------------------------

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        if (input.rank() != 3 || input.size(1) != layerConf().getNOut()) {
            throw new IllegalStateException(layerId() + ": expected input [B, " + layerConf().getNOut() + ", T], got "
                    + Arrays.toString(input.shape()));
        }
        checkMask(maskArray, input, layerId());
        INDArray x = input.dataType() == dataType ? input
                : workspaceMgr.castTo(ArrayType.FF_WORKING_MEM, dataType, input, false);
        INDArray out = TokenRows.newSequence(workspaceMgr, ArrayType.ACTIVATIONS, dataType, x.size(0), x.size(1),
                x.size(2));
        addPositions(x, getParam(LearnedPositions.POSITIONS), out);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        // Padded positions must not train the positions: drop their gradient (a no-op if upstream honours masks).
        INDArray eps = maskArray == null ? workspaceMgr.leverageTo(ArrayType.ACTIVATION_GRAD, epsilon)
                : maskedCopy(epsilon, maskArray, workspaceMgr, ArrayType.ACTIVATION_GRAD);
        INDArray gradPos = gradientViews.get(LearnedPositions.POSITIONS);
        positionGradient(eps, gradPos, workspaceMgr, ArrayType.BP_WORKING_MEM);
        Gradient g = new DefaultGradient(gradientsFlattened);
        g.gradientForVariable().put(LearnedPositions.POSITIONS, gradPos);
        return new Pair<>(g, eps);
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return false;
    }
}
