package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scatter.ScatterUpdate;
import org.nd4j.linalg.factory.Nd4j;

import java.util.Arrays;

/**
 * Runtime of {@link TokenEmbedding}: a row gather from the table, plus positions; the backward scatter-adds the
 * (masked) output gradient into the table rows that were used (ND4J's scatter-update ADD, which assigns each
 * table row to one thread, so repeated ids accumulate without races).
 */
public class TokenEmbeddingLayer extends BaseLayer<TokenEmbedding> {

    /** Ids of the last forward, sample-major (index b·T + t). */
    private transient int[] ids;

    public TokenEmbeddingLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        INDArray idMatrix = idMatrix();
        long b = idMatrix.size(0);
        long t = idMatrix.size(1);
        long width = layerConf().getNOut();
        checkMask(b, t);
        ids = readIds(idMatrix, workspaceMgr, ArrayType.FF_WORKING_MEM);

        INDArray rows = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dataType, new long[] {b * t, width},
                'c');
        Nd4j.pullRows(getParam(TokenEmbedding.TABLE), rows, 1, ids);
        INDArray out = rows.reshape('c', b, t, width).permute(0, 2, 1);
        LearnedPositionsLayer.addPositions(out, getParam(TokenEmbedding.POSITIONS), out);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray idMatrix = idMatrix();
        long b = idMatrix.size(0);
        long t = idMatrix.size(1);
        long width = layerConf().getNOut();
        if (epsilon.rank() != 3 || epsilon.size(0) != b || epsilon.size(1) != width || epsilon.size(2) != t) {
            throw new IllegalStateException(layerId() + ": epsilon must be [" + b + ", " + width + ", " + t + "], got "
                    + Arrays.toString(epsilon.shape()));
        }
        int[] used = ids != null ? ids : readIds(idMatrix, workspaceMgr, ArrayType.BP_WORKING_MEM);

        // Padding must not train anything: zero the gradient at padded positions first.
        INDArray eps = maskArray == null ? epsilon
                : LearnedPositionsLayer.maskedCopy(epsilon, maskArray, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray gradPos = gradientViews.get(TokenEmbedding.POSITIONS);
        LearnedPositionsLayer.positionGradient(eps, gradPos, workspaceMgr, ArrayType.BP_WORKING_MEM);

        INDArray gradTable = gradientViews.get(TokenEmbedding.TABLE);
        gradTable.assign(0);
        INDArray dRows = TokenRows.rows(eps, workspaceMgr, ArrayType.BP_WORKING_MEM);
        INDArray index;
        try (MemoryWorkspace ws = workspaceMgr.notifyScopeBorrowed(ArrayType.BP_WORKING_MEM)) {
            index = Nd4j.createFromArray(used);
        }
        // Row k of dRows is added to table row used[k].
        Nd4j.scatterUpdate(ScatterUpdate.UpdateOp.ADD, gradTable, index, dRows, 1);

        Gradient g = new DefaultGradient(gradientsFlattened);
        g.gradientForVariable().put(TokenEmbedding.TABLE, gradTable);
        g.gradientForVariable().put(TokenEmbedding.POSITIONS, gradPos);
        ids = null;
        return new Pair<>(g, null); // ids have no gradient
    }

    /** The ids as a [B, T] view of the input ([B, 1, T] or [B, T]). */
    private INDArray idMatrix() {
        if (input.rank() == 3 && input.size(1) == 1) {
            return input.reshape(input.ordering(), input.size(0), input.size(2));
        }
        if (input.rank() == 2) {
            return input;
        }
        throw new IllegalStateException(layerId() + ": token ids must be [B, 1, T] or [B, T], got "
                + Arrays.toString(input.shape()));
    }

    private void checkMask(long b, long t) {
        if (t > layerConf().getMaxLength()) {
            throw new IllegalStateException(layerId() + ": sequence length " + t + " exceeds maxLength "
                    + layerConf().getMaxLength() + " (the number of learned positions)");
        }
        if (maskArray != null && (maskArray.rank() != 2 || maskArray.size(0) != b || maskArray.size(1) != t)) {
            throw new IllegalStateException(layerId() + ": mask must be [B, T] = [" + b + ", " + t + "], got "
                    + Arrays.toString(maskArray.shape()));
        }
    }

    /** Reads and validates the ids (integers in [0, V)), sample-major. */
    private int[] readIds(INDArray idMatrix, LayerWorkspaceMgr mgr, ArrayType scratch) {
        long t = idMatrix.size(1);
        long vocab = layerConf().getVocabSize();
        double[] v = mgr.dup(scratch, idMatrix, 'c').reshape(idMatrix.length()).toDoubleVector();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            double id = v[i];
            if (!(id >= 0 && id < vocab) || id != Math.rint(id)) {
                throw new IllegalStateException(layerId() + ": token id " + id + " at sample " + (i / t)
                        + ", position " + (i % t) + " is not an integer in [0, " + vocab + ") (vocabSize " + vocab
                        + ")");
            }
            out[i] = (int) id;
        }
        return out;
    }

    @Override
    public void clear() {
        super.clear();
        ids = null;
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
