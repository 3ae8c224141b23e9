package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;
import java.util.Random;

import static ai.chorus.models.blocks.BlockTestSupport.assertBitIdentical;
import static ai.chorus.models.blocks.BlockTestSupport.gaussian;
import static ai.chorus.models.blocks.BlockTestSupport.lengthsMask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CrossAttentionVertexTest {




    private static final int CQ = 4;
    private static final int CKV = 3;

    /**
     * q [B, 8, Tq] and kv [B, 6, Tk]; kv goes through an encoder block first (so the kv epsilon reaches a layer),
     * then cross-attention, then a per-position output layer on the query positions.
     */
    static ComputationGraphConfiguration graph(DataType dt, IUpdater updater, WorkspaceMode wm, double dropout) {
        return new NeuralNetConfiguration.Builder()
                .seed(42).dataType(dt).updater(updater).weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(wm).inferenceWorkspaceMode(wm)
                .graphBuilder().addInputs("q", "kv")
                .setInputTypes(InputType.recurrent(CQ), InputType.recurrent(CKV))
                .addLayer("kvenc", new TransformerEncoderLayer.Builder().nIn(CKV).nHeads(1).mlpRatio(1).build(), "kv")
                .addVertex("xattn", CrossAttentionVertex.builder().nHeads(2).dropout(dropout).build(), "q", "kvenc")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).nIn(CQ).nOut(3).build(), "xattn")
                .setOutputs("out").build();
    }

    private static ComputationGraph doubleNet() {
        ComputationGraph net = new ComputationGraph(graph(DataType.DOUBLE, new NoOp(), WorkspaceMode.ENABLED, 0.0));
        net.init();
        Random r = new Random(7);
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            if (e.getKey().startsWith("xattn_ln") || e.getKey().startsWith("xattn_b")) {
                e.getValue().addi(gaussian(r, DataType.DOUBLE, e.getValue().shape()).muli(0.3));
            }
        }
        return net;
    }

    @Test
    void inputTypesSetTheChannelsAndParametersAreNamed() {
        ComputationGraph net = doubleNet();
        CrossAttentionVertex v = (CrossAttentionVertex) net.getConfiguration().getVertices().get("xattn");
        assertEquals(CQ, v.getQueryChannels());
        assertEquals(CKV, v.getKvChannels());
        long expected = 2L * CQ + 2L * CKV + (long) CQ * CQ + 2L * CKV * CQ + 3L * CQ + (long) CQ * CQ + CQ;
        assertEquals(expected, net.getVertex("xattn").numParams());
        assertEquals(java.util.List.of("lnqg", "lnqb", "lnkvg", "lnkvb", "Wq", "Wk", "Wv", "bq", "bk", "bv", "Wo",
                "bo"), new java.util.ArrayList<>(net.getVertex("xattn").paramTable(false).keySet()));
        assertTrue(net.paramTable().containsKey("xattn_Wk"));
        assertThrows(IllegalStateException.class,
                () -> CrossAttentionVertex.builder().queryChannels(10).nHeads(4).build());
        assertThrows(IllegalArgumentException.class, () -> CrossAttentionVertex.builder().dropout(-0.1));
    }

    @Test
    void gradientCheckWithMasksOnBothInputs() {
        ComputationGraph net = doubleNet();
        Random r = new Random(1);
        INDArray q = gaussian(r, DataType.DOUBLE, 3, CQ, 4);
        INDArray kv = gaussian(r, DataType.DOUBLE, 3, CKV, 6);
        INDArray y = gaussian(r, DataType.DOUBLE, 3, 3, 4);
        INDArray qm = lengthsMask(DataType.DOUBLE, 4, 4, 2, 3);
        INDArray kvm = lengthsMask(DataType.DOUBLE, 6, 6, 3, 1);
        BlockTestSupport.assertGradientsOk(net, new INDArray[] {q, kv}, new INDArray[] {qm, kvm},
                new INDArray[] {y}, new INDArray[] {qm});
    }

    @Test
    void gradientCheckWithoutMasks() {
        ComputationGraph net = doubleNet();
        Random r = new Random(2);
        INDArray q = gaussian(r, DataType.DOUBLE, 2, CQ, 3);
        INDArray kv = gaussian(r, DataType.DOUBLE, 2, CKV, 5);
        INDArray y = gaussian(r, DataType.DOUBLE, 2, 3, 3);
        BlockTestSupport.assertGradientsOk(net, new INDArray[] {q, kv}, null, new INDArray[] {y}, null);
    }

    @Test
    void paddingOfEitherInputDoesNotInfluenceRealQueryPositions() {
        ComputationGraph net = doubleNet();
        int[] qLen = {4, 2};
        int[] kvLen = {5, 2};
        Random r = new Random(3);
        INDArray qReal = gaussian(r, DataType.DOUBLE, 2, CQ, 4);
        INDArray kvReal = gaussian(r, DataType.DOUBLE, 2, CKV, 5);
        INDArray ref = run(net, qReal, kvReal, qLen, kvLen, 4, 5, new Random(10));
        int[][] sizes = {{4, 5}, {6, 5}, {4, 9}, {7, 8}};
        for (int[] s : sizes) {
            INDArray other = run(net, qReal, kvReal, qLen, kvLen, s[0], s[1], new Random(11 + s[0] + s[1]));
            for (int b = 0; b < 2; b++) {
                INDArray a = ref.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.interval(0, qLen[b]));
                INDArray o = other.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.interval(0, qLen[b]));
                double diff = a.sub(o).amaxNumber().doubleValue();
                assertTrue(diff < 1e-6, "Tq=" + s[0] + " Tk=" + s[1] + " sample " + b + ": changed by " + diff);
            }
        }
    }

    private static INDArray run(ComputationGraph net, INDArray qReal, INDArray kvReal, int[] qLen, int[] kvLen, int tq,
                                int tk, Random junk) {
        INDArray q = gaussian(junk, DataType.DOUBLE, 2, CQ, tq).muli(5);
        INDArray kv = gaussian(junk, DataType.DOUBLE, 2, CKV, tk).muli(5);
        for (int b = 0; b < 2; b++) {
            q.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.interval(0, qLen[b])).assign(
                    qReal.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.interval(0, qLen[b])));
            kv.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.interval(0, kvLen[b])).assign(
                    kvReal.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.interval(0, kvLen[b])));
        }
        INDArray[] masks = {lengthsMask(DataType.DOUBLE, tq, qLen), lengthsMask(DataType.DOUBLE, tk, kvLen)};
        return net.output(false, new INDArray[] {q, kv}, masks)[0];
    }

    private static MultiDataSet data(long seed) {
        Random r = new Random(seed);
        INDArray q = gaussian(r, DataType.FLOAT, 16, CQ, 5);
        INDArray kv = gaussian(r, DataType.FLOAT, 16, CKV, 7);
        INDArray y = gaussian(r, DataType.FLOAT, 16, 3, 5);
        int[] ql = new int[16];
        int[] kl = new int[16];
        for (int i = 0; i < 16; i++) {
            ql[i] = 1 + r.nextInt(5);
            kl[i] = 1 + r.nextInt(7);
        }
        INDArray qm = lengthsMask(DataType.FLOAT, 5, ql);
        return new MultiDataSet(new INDArray[] {q, kv}, new INDArray[] {y},
                new INDArray[] {qm, lengthsMask(DataType.FLOAT, 7, kl)}, new INDArray[] {qm});
    }

    @Test
    void trainsWithWorkspacesLikeWithout() {
        MultiDataSet d = data(4);
        double[][] scores = new double[2][];
        WorkspaceMode[] modes = {WorkspaceMode.ENABLED, WorkspaceMode.NONE};
        for (int k = 0; k < 2; k++) {
            ComputationGraph net = new ComputationGraph(graph(DataType.FLOAT, new Adam(1e-2), modes[k], 0.0));
            net.init();
            scores[k] = new double[25];
            for (int i = 0; i < 25; i++) {
                net.fit(d);
                scores[k][i] = net.score();
            }
        }
        for (int i = 0; i < 25; i++) {
            assertTrue(Double.isFinite(scores[0][i]));
            assertEquals(scores[1][i], scores[0][i], 1e-4 * Math.max(1, Math.abs(scores[1][i])), "step " + i);
        }
        assertTrue(scores[0][24] < scores[0][0], "loss should go down: " + scores[0][0] + " -> " + scores[0][24]);
    }

    @Test
    void jsonRoundTripCloneAndSerializer() throws Exception {
        ComputationGraphConfiguration conf = graph(DataType.FLOAT, new Adam(1e-2), WorkspaceMode.ENABLED, 0.1);
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        CrossAttentionVertex v = (CrossAttentionVertex) back.getVertices().get("xattn");
        assertEquals(2, v.getNHeads());
        assertEquals(0.1, v.getDropout());
        assertEquals(v, v.clone());

        ComputationGraph net = new ComputationGraph(back);
        net.init();
        MultiDataSet d = data(5);
        for (int i = 0; i < 3; i++) {
            net.fit(d);
        }
        ComputationGraph restored = BlockTestSupport.assertSerializerRoundTrip(net, d.getFeatures(),
                d.getFeaturesMaskArrays());
        assertEquals(new Adam(1e-2), ((CrossAttentionVertex) restored.getConfiguration().getVertices().get("xattn"))
                .getUpdaterByParam("Wq"));
        assertBitIdentical(net.params(), restored.params(), "parameters");
    }
}
