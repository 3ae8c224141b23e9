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
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runtime of {@link ContrastiveLogitsVertex}: two row normalisations and one GEMM forward, two GEMMs backward; with
 * presence inputs, plus the log of the pair mask m m^T (0 or -infinity) forward and the mask on epsilon backward.
 */
public class ContrastiveLogitsVertexImpl extends TrainableVertexImpl<ContrastiveLogitsVertex> {

    private Map<String, INDArray> gradientTable;

    // Kept from the training forward pass for backward (ArrayType.INPUT, as DL4J's BatchNormalization does).
    private RowL2Norm.Result normA;
    private RowL2Norm.Result normB;
    /** m [B, 1] of the last training forward (1 if pair i is present in every presence input), or null. */
    private INDArray present;
    private double scale;
    private boolean clamped;

    public ContrastiveLogitsVertexImpl(ComputationGraph graph, String name, int vertexIndex,
                                       ContrastiveLogitsVertex conf, INDArray paramsView, boolean initializeParams,
                                       DataType dataType) {
        super(graph, name, vertexIndex, dataType, conf, paramsView);
        if (initializeParams) {
            paramsView.assign(conf.getInitLogitScale());
        }
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put(ContrastiveLogitsVertex.PARAM_LOGIT_SCALE, paramsView.reshape(1, 1));
        setParamTable(t);
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("Vertex '" + vertexName + "': inputs not set");
        }
        INDArray a = inputs[0];
        INDArray b = inputs[1];
        if (a.rank() != 2 || b.rank() != 2 || !Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalStateException("Vertex '" + vertexName + "' expects two [B, D] inputs of equal shape, got "
                    + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
        }
        ArrayType keep = training ? ArrayType.INPUT : ArrayType.FF_WORKING_MEM;
        INDArray m = presence(a.size(0), a.dataType(), workspaceMgr, keep);
        double s = params.getDouble(0);
        double clamp = conf.logScaleClamp();
        clamped = s > clamp;
        scale = Math.exp(Math.min(s, clamp));

        RowL2Norm.Result na = RowL2Norm.forward(a, conf.getNormEpsilon(), workspaceMgr, keep);
        RowL2Norm.Result nb = RowL2Norm.forward(b, conf.getNormEpsilon(), workspaceMgr, keep);

        long n = a.size(0);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, a.dataType(), new long[] {n, n}, 'c');
        Nd4j.gemm(na.normalized, nb.normalized, out, false, true, scale, 0.0);
        if (m != null) {
            // + log(m_i m_j): 0 for present pairs, -infinity for absent ones (whatever finite embeddings they have).
            INDArray logPairs = pairMask(m, workspaceMgr, ArrayType.FF_WORKING_MEM);
            Transforms.log(logPairs, false);
            out.addi(logPairs);
        }

        if (training) {
            normA = na;
            normB = nb;
            present = m;
        } else {
            normA = null;
            normB = null;
            present = null;
        }
        return out;
    }

    /**
     * The product of the presence inputs (index 2 on) as a [B, 1] array of {@code type}, or null without any.
     * Each must be [B, 1] of zeros and ones.
     */
    private INDArray presence(long batch, DataType dt, LayerWorkspaceMgr mgr, ArrayType type) {
        if (inputs.length == 2) {
            return null;
        }
        INDArray m = mgr.createUninitialized(type, dt, new long[] {batch, 1}, 'c');
        m.assign(1.0);
        for (int i = 2; i < inputs.length; i++) {
            INDArray p = inputs[i];
            if (p.rank() != 2 || p.size(0) != batch || p.size(1) != 1) {
                throw new IllegalStateException("Vertex '" + vertexName + "': presence input " + i + " must be ["
                        + batch + ", 1], got " + Arrays.toString(p.shape()));
            }
            long zeroOrOne = p.eq(0.0).castTo(DataType.INT).sumNumber().longValue()
                    + p.eq(1.0).castTo(DataType.INT).sumNumber().longValue();
            if (zeroOrOne != batch) {
                throw new IllegalStateException("Vertex '" + vertexName + "': presence input " + i
                        + " must hold 1 (present) or 0 (absent) per sample, got " + p.reshape(batch));
            }
            m.muli(p.castTo(dt));
        }
        return m;
    }

    /** m m^T [B, B]: 1 where both samples of a pair are present. */
    private static INDArray pairMask(INDArray m, LayerWorkspaceMgr mgr, ArrayType type) {
        long n = m.size(0);
        INDArray pairs = mgr.createUninitialized(type, m.dataType(), new long[] {n, n}, 'c');
        Nd4j.gemm(m, m, pairs, false, true, 1.0, 0.0);
        return pairs;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (normA == null || epsilon == null) {
            throw new IllegalStateException("Vertex '" + vertexName
                    + "': backward needs a training forward pass (doForward(true, ...)) and an epsilon");
        }
        INDArray ahat = normA.normalized;
        INDArray bhat = normB.normalized;
        long n = ahat.size(0);
        long d = ahat.size(1);
        DataType dt = ahat.dataType();
        INDArray eps = epsilon;
        if (present != null) {
            // Absent pairs are the constant -infinity: nothing flows back through them.
            eps = pairMask(present, workspaceMgr, ArrayType.BP_WORKING_MEM);
            eps.muli(epsilon);
        }

        // logits = t * Ahat Bhat^T  =>  dAhat = t * E Bhat, dBhat = t * E^T Ahat
        INDArray dAhat = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dt, new long[] {n, d}, 'c');
        INDArray dBhat = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dt, new long[] {n, d}, 'c');
        Nd4j.gemm(eps, bhat, dAhat, false, false, scale, 0.0);
        Nd4j.gemm(eps, ahat, dBhat, true, false, scale, 0.0);

        INDArray rowDots = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dt, new long[] {n, 1}, 'c');
        INDArray dA = RowL2Norm.backward(dAhat, normA, rowDots, workspaceMgr, ArrayType.ACTIVATION_GRAD);
        INDArray dB = RowL2Norm.backward(dBhat, normB, null, workspaceMgr, ArrayType.ACTIVATION_GRAD);

        // dL/ds = t * sum(E .* Ahat Bhat^T) = sum_i <dAhat_i, Ahat_i>  (already computed by the normalisation backward);
        // zero past the clamp, where the output does not depend on s.
        double ds = clamped ? 0.0 : rowDots.sumNumber().doubleValue();
        INDArray g = gradientTable.get(ContrastiveLogitsVertex.PARAM_LOGIT_SCALE);
        g.assign(ds);

        Gradient gradient = new DefaultGradient(gradientView);
        gradient.gradientForVariable().put(ContrastiveLogitsVertex.PARAM_LOGIT_SCALE, g);
        INDArray[] epsilons = new INDArray[inputs.length];
        epsilons[0] = dA;
        epsilons[1] = dB;
        for (int i = 2; i < inputs.length; i++) {
            // Zeros rather than null: DL4J M2.1 mis-assigns epsilons after a null one for an input that feeds
            // several vertices (ComputationGraph.calcBackpropGradients does not advance its index there).
            epsilons[i] = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, inputs[i].dataType(), inputs[i].shape(),
                    'c');
        }
        return new Pair<>(gradient, epsilons);
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        this.gradientView = backpropGradientsViewArray;
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put(ContrastiveLogitsVertex.PARAM_LOGIT_SCALE, backpropGradientsViewArray.reshape(1, 1));
        this.gradientTable = t;
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        // The [B, B] logits have no padding: every pair is scored.
        return new Pair<>(null, currentMaskState);
    }

    @Override
    public void clear() {
        super.clear();
        normA = null;
        normB = null;
        present = null;
    }

    /** The scale exp(min(s, ln maxScale)) of the last forward pass. */
    public double lastScale() {
        return scale;
    }

}
