package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.util.Arrays;

/**
 * Runtime of {@link SequenceConcatVertex}. Forward copies each input into its time range of one token-major
 * output (see {@link TokenRows}); backward hands each input the matching time range of the epsilon, as a
 * contiguous token-major copy.
 */
public class SequenceConcatVertexImpl extends ParameterlessVertexImpl {

    private final SequenceConcatVertex conf;

    public SequenceConcatVertexImpl(ComputationGraph graph, String name, int vertexIndex, SequenceConcatVertex conf,
                                    DataType dataType) {
        super(graph, name, vertexIndex, dataType);
        this.conf = conf;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("Vertex '" + vertexName + "': inputs not set");
        }
        INDArray first = inputs[0];
        long b = first.size(0);
        long c = first.size(1);
        long total = 0;
        for (INDArray x : inputs) {
            if (x.rank() != 3 || x.size(0) != b || x.size(1) != c) {
                throw new IllegalStateException("Vertex '" + vertexName + "' joins sequences [B, C, T] of one B and C;"
                        + " got " + shapes());
            }
            total += x.size(2);
        }
        INDArray out = TokenRows.newSequence(workspaceMgr, ArrayType.ACTIVATIONS, first.dataType(), b, c, total);
        INDArray outBtc = out.permute(0, 2, 1);
        long offset = 0;
        for (INDArray x : inputs) {
            long t = x.size(2);
            outBtc.get(timeRange(offset, t)).assign(x.permute(0, 2, 1));
            offset += t;
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (epsilon == null) {
            throw new IllegalStateException("Vertex '" + vertexName + "': epsilon not set");
        }
        INDArray epsBtc = epsilon.permute(0, 2, 1);
        INDArray[] out = new INDArray[inputs.length];
        long offset = 0;
        for (int i = 0; i < inputs.length; i++) {
            long t = inputs[i].size(2);
            INDArray e = TokenRows.newSequence(workspaceMgr, ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                    epsilon.size(0), epsilon.size(1), t);
            e.permute(0, 2, 1).assign(epsBtc.get(timeRange(offset, t)));
            out[i] = e;
            offset += t;
        }
        return new Pair<>(null, out);
    }

    private static INDArrayIndex[] timeRange(long offset, long t) {
        return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.interval(offset, offset + t), NDArrayIndex.all()};
    }

    /**
     * The concatenated mask, an input without a mask counting as all real. Built outside any workspace: DL4J
     * propagates masks once per minibatch, before the forward pass, and layers keep them for the whole iteration.
     */
    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        INDArray any = null;
        if (maskArrays != null) {
            for (INDArray m : maskArrays) {
                if (m != null) {
                    any = m;
                    break;
                }
            }
        }
        if (any == null) {
            return new Pair<>(null, currentMaskState);
        }
        if (maskArrays.length != getNumInputArrays()) {
            throw new IllegalStateException("Vertex '" + vertexName + "': " + maskArrays.length + " masks for "
                    + getNumInputArrays() + " inputs");
        }
        long b = any.size(0);
        long[] lengths = new long[maskArrays.length];
        long total = 0;
        for (int i = 0; i < maskArrays.length; i++) {
            INDArray m = maskArrays[i];
            if (m != null && (m.rank() != 2 || m.size(0) != b)) {
                throw new IllegalStateException("Vertex '" + vertexName + "': masks must be [B, T] with one B, got "
                        + Arrays.toString(m.shape()) + " for input " + i);
            }
            lengths[i] = m != null ? m.size(1) : conf.length(i);
            if (lengths[i] <= 0) {
                throw new IllegalStateException("Vertex '" + vertexName + "': input " + i + " has no mask and no "
                        + "known time length; give the graph input types with a time length, set "
                        + "SequenceConcatVertex.builder().lengths(...), or feed a mask for it");
            }
            total += lengths[i];
        }
        try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
            INDArray mask = Nd4j.ones(any.dataType(), b, total);
            long offset = 0;
            for (int i = 0; i < maskArrays.length; i++) {
                if (maskArrays[i] != null) {
                    mask.get(NDArrayIndex.all(), NDArrayIndex.interval(offset, offset + lengths[i]))
                            .assign(maskArrays[i]);
                }
                offset += lengths[i];
            }
            return new Pair<>(mask, currentMaskState);
        }
    }

    private String shapes() {
        StringBuilder s = new StringBuilder();
        for (INDArray x : inputs) {
            s.append(s.length() == 0 ? "" : ", ").append(Arrays.toString(x.shape()));
        }
        return s.toString();
    }

    @Override
    public String toString() {
        return "SequenceConcatVertexImpl(name=" + vertexName + ", " + conf + ")";
    }
}
