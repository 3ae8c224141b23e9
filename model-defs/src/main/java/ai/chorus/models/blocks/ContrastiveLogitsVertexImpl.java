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

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runtime of {@link ContrastiveLogitsVertex}: two row normalisations and one GEMM forward, two GEMMs backward.
 */
public class ContrastiveLogitsVertexImpl extends TrainableVertexImpl<ContrastiveLogitsVertex> {

    private Map<String, INDArray> gradientTable;

    // Kept from the training forward pass for backward (ArrayType.INPUT, as DL4J's BatchNormalization does).
    private RowL2Norm.Result normA;
    private RowL2Norm.Result normB;
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
        double s = params.getDouble(0);
        double clamp = conf.logScaleClamp();
        clamped = s > clamp;
        scale = Math.exp(Math.min(s, clamp));

        ArrayType keep = training ? ArrayType.INPUT : ArrayType.FF_WORKING_MEM;
        RowL2Norm.Result na = RowL2Norm.forward(a, conf.getNormEpsilon(), workspaceMgr, keep);
        RowL2Norm.Result nb = RowL2Norm.forward(b, conf.getNormEpsilon(), workspaceMgr, keep);

        long n = a.size(0);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, a.dataType(), new long[] {n, n}, 'c');
        Nd4j.gemm(na.normalized, nb.normalized, out, false, true, scale, 0.0);

        if (training) {
            normA = na;
            normB = nb;
        } else {
            normA = null;
            normB = null;
        }
        return out;
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

        // logits = t * Ahat Bhat^T  =>  dAhat = t * E Bhat, dBhat = t * E^T Ahat
        INDArray dAhat = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dt, new long[] {n, d}, 'c');
        INDArray dBhat = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dt, new long[] {n, d}, 'c');
        Nd4j.gemm(epsilon, bhat, dAhat, false, false, scale, 0.0);
        Nd4j.gemm(epsilon, ahat, dBhat, true, false, scale, 0.0);

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
        return new Pair<>(gradient, new INDArray[] {dA, dB});
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
    }

    /** The scale exp(min(s, ln maxScale)) of the last forward pass. */
    public double lastScale() {
        return scale;
    }

}
