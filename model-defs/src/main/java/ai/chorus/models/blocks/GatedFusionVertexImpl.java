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
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runtime of {@link GatedFusionVertex}. Forward: two GEMMs ([B, D] x [D, D] with W's two halves, so the
 * concatenation [a ; attended] is never materialised), a sigmoid and element-wise ops. Backward: four GEMMs.
 */
public class GatedFusionVertexImpl extends TrainableVertexImpl<GatedFusionVertex> {

    private final INDArray wA;
    private final INDArray wAtt;
    private final INDArray bias;
    private Map<String, INDArray> gradientTable;
    private INDArray gwA;
    private INDArray gwAtt;
    private INDArray gBias;

    // Kept from the training forward pass for backward.
    private INDArray gate;
    private INDArray diff;

    public GatedFusionVertexImpl(ComputationGraph graph, String name, int vertexIndex, GatedFusionVertex conf,
                                 INDArray paramsView, boolean initializeParams, DataType dataType) {
        super(graph, name, vertexIndex, dataType, conf, paramsView);
        long d = conf.getSize();
        INDArray flat = paramsView.reshape(paramsView.length());
        INDArray w = block(flat, 0, 2 * d, d);
        INDArray b = block(flat, 2 * d * d, 1, d);
        if (initializeParams) {
            conf.getWeightInit().getWeightInitFunction().init(2 * d, d, new long[] {2 * d, d}, 'c', w);
            b.assign(conf.getGateBiasInit());
        }
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put(GatedFusionVertex.PARAM_W, w);
        t.put(GatedFusionVertex.PARAM_B, b);
        setParamTable(t);
        this.wA = block(flat, 0, d, d);
        this.wAtt = block(flat, d * d, d, d);
        this.bias = b;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("Vertex '" + vertexName + "': inputs not set");
        }
        INDArray a = inputs[0];
        INDArray att = inputs[1];
        long d = conf.getSize();
        if (a.rank() != 2 || a.size(1) != d || !Arrays.equals(a.shape(), att.shape())) {
            throw new IllegalStateException("Vertex '" + vertexName + "' expects two [B, " + d + "] inputs, got "
                    + Arrays.toString(a.shape()) + " and " + Arrays.toString(att.shape()));
        }
        DataType dt = a.dataType();
        long[] shape = a.shape();
        ArrayType keep = training ? ArrayType.INPUT : ArrayType.FF_WORKING_MEM;

        INDArray g = workspaceMgr.createUninitialized(keep, dt, shape, 'c');
        Nd4j.gemm(a, wA, g, false, false, 1.0, 0.0);
        Nd4j.gemm(att, wAtt, g, false, false, 1.0, 1.0);
        g.addiRowVector(bias);
        Transforms.sigmoid(g, false);

        INDArray df = workspaceMgr.createUninitialized(keep, dt, shape, 'c');
        df.assign(a).subi(att);

        // fused = attended + gate * (a - attended)
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, dt, shape, 'c');
        out.assign(df).muli(g).addi(att);

        if (training) {
            gate = g;
            diff = df;
        } else {
            gate = null;
            diff = null;
        }
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (gate == null || epsilon == null) {
            throw new IllegalStateException("Vertex '" + vertexName
                    + "': backward needs a training forward pass (doForward(true, ...)) and an epsilon");
        }
        INDArray a = inputs[0];
        INDArray att = inputs[1];
        DataType dt = gate.dataType();
        long[] shape = gate.shape();

        // dz = E * (a - attended) * gate * (1 - gate)
        INDArray dz = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dt, shape, 'c');
        INDArray sigDeriv = workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dt, shape, 'c');
        sigDeriv.assign(gate).rsubi(1.0).muli(gate);
        dz.assign(epsilon).muli(diff).muli(sigDeriv);

        // Parameter gradients, written straight into the gradient view.
        Nd4j.gemm(a, dz, gwA, true, false, 1.0, 0.0);
        Nd4j.gemm(att, dz, gwAtt, true, false, 1.0, 0.0);
        gBias.assign(dz.sum(true, 0));

        // da = E * gate + dz W_a^T ; dattended = E * (1 - gate) + dz W_att^T
        INDArray da = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dt, shape, 'c');
        da.assign(epsilon).muli(gate);
        INDArray datt = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dt, shape, 'c');
        datt.assign(epsilon).subi(da);
        Nd4j.gemm(dz, wA, da, false, true, 1.0, 1.0);
        Nd4j.gemm(dz, wAtt, datt, false, true, 1.0, 1.0);

        Gradient gradient = new DefaultGradient(gradientView);
        gradient.gradientForVariable().put(GatedFusionVertex.PARAM_W, gradientTable.get(GatedFusionVertex.PARAM_W));
        gradient.gradientForVariable().put(GatedFusionVertex.PARAM_B, gradientTable.get(GatedFusionVertex.PARAM_B));
        return new Pair<>(gradient, new INDArray[] {da, datt});
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        long d = conf.getSize();
        this.gradientView = backpropGradientsViewArray;
        INDArray flat = backpropGradientsViewArray.reshape(backpropGradientsViewArray.length());
        INDArray w = block(flat, 0, 2 * d, d);
        INDArray b = block(flat, 2 * d * d, 1, d);
        Map<String, INDArray> t = new LinkedHashMap<>();
        t.put(GatedFusionVertex.PARAM_W, w);
        t.put(GatedFusionVertex.PARAM_B, b);
        this.gradientTable = t;
        this.gwA = block(flat, 0, d, d);
        this.gwAtt = block(flat, d * d, d, d);
        this.gBias = b;
    }

    /**
     * A c-order [rows, cols] view starting at {@code offset} of a flat view. Always slice the flat vector: in M2.1,
     * a row-range get() on a reshaped view of the (offset) parameter view came back as a rank-0 array.
     */
    private static INDArray block(INDArray flat, long offset, long rows, long cols) {
        return flat.get(NDArrayIndex.interval(offset, offset + rows * cols)).reshape('c', rows, cols);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                           int minibatchSize) {
        if (maskArrays != null) {
            for (INDArray m : maskArrays) {
                if (m != null) {
                    return new Pair<>(m, currentMaskState);
                }
            }
        }
        return new Pair<>(null, currentMaskState);
    }

    @Override
    public void clear() {
        super.clear();
        gate = null;
        diff = null;
    }

}
