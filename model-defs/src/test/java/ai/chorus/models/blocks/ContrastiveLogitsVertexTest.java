package ai.chorus.models.blocks;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ContrastiveLogitsVertexTest {

    private static final int DIN_A = 4;
    private static final int DIN_B = 3;
    private static final int EMB = 6;

    private DataType savedDefault;
    private DataType savedFloating;

    @BeforeEach
    void doublePrecision() {
        savedDefault = Nd4j.dataType();
        savedFloating = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    @AfterEach
    void restorePrecision() {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloating);
    }

    /** inA -> dense -> embA, inB -> dense -> embB, then the symmetric InfoNCE head. */
    static ComputationGraph twoTower(DataType dt, IUpdater updater, long seed) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
                .seed(seed).dataType(dt).updater(updater).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("inA", "inB")
                .setInputTypes(InputType.feedForward(DIN_A), InputType.feedForward(DIN_B))
                .addLayer("embA", new DenseLayer.Builder().nOut(EMB).activation(Activation.TANH).build(), "inA")
                .addLayer("embB", new DenseLayer.Builder().nOut(EMB).activation(Activation.TANH).build(), "inB");
        ContrastiveHeads.Names names = ContrastiveHeads.addSymmetricInfoNce(gb, "embA", "embB", "");
        ComputationGraph net = new ComputationGraph(gb.setOutputs(names.outputs()).build());
        net.init();
        return net;
    }

    private static INDArray[] inputs(int b, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return new INDArray[] {Nd4j.randn(DataType.DOUBLE, b, DIN_A), Nd4j.randn(DataType.DOUBLE, b, DIN_B)};
    }

    private static INDArray[] labels(int b, double smoothing) {
        INDArray l = ContrastiveHeads.identityLabels(b, smoothing, DataType.DOUBLE);
        return new INDArray[] {l, l.dup()};
    }

    private static boolean gradientCheck(ComputationGraph net, INDArray[] in, INDArray[] lab) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net).inputs(in).labels(lab)
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8));
    }

    private static INDArray logitScale(ComputationGraph net) {
        return net.getVertex(ContrastiveHeads.LOGITS).paramTable(false).get(ContrastiveLogitsVertex.PARAM_LOGIT_SCALE);
    }

    @Test
    void gradientCheckWithScaleInsideClamp() {
        ComputationGraph net = twoTower(DataType.DOUBLE, new NoOp(), 12345);
        assertEquals(Math.log(1 / 0.07), logitScale(net).getDouble(0), 1e-12);
        // The check covers the vertex parameter: it is part of the flat parameter vector the checker perturbs.
        Map<String, INDArray> table = net.paramTable();
        assertTrue(table.containsKey(ContrastiveHeads.LOGITS + "_" + ContrastiveLogitsVertex.PARAM_LOGIT_SCALE));
        assertEquals(net.params().length(), table.values().stream().mapToLong(INDArray::length).sum());
        assertEquals((DIN_A + 1) * EMB + (DIN_B + 1) * EMB + 1, net.params().length());
        // Scale 14.3 makes the softmax sharp; also check a softer one where s gets larger gradients.
        assertTrue(gradientCheck(net, inputs(5, 1), labels(5, 0)));
        logitScale(net).assign(0.7);
        assertTrue(gradientCheck(net, inputs(5, 2), labels(5, 0)));
    }

    @Test
    void gradientCheckWithScaleClampedHasZeroScaleGradient() {
        ComputationGraph net = twoTower(DataType.DOUBLE, new NoOp(), 7);
        logitScale(net).assign(Math.log(100) + 0.5);
        INDArray[] in = inputs(5, 3);
        INDArray[] lab = labels(5, 0);
        assertTrue(gradientCheck(net, in, lab));

        net.setInputs(in);
        net.setLabels(lab);
        net.computeGradientAndScore();
        INDArray gs = net.gradient().getGradientFor(ContrastiveHeads.LOGITS + "_" + ContrastiveLogitsVertex.PARAM_LOGIT_SCALE);
        assertEquals(0.0, gs.getDouble(0), 0.0);
        ContrastiveLogitsVertexImpl impl = (ContrastiveLogitsVertexImpl) net.getVertex(ContrastiveHeads.LOGITS);
        assertEquals(100.0, impl.lastScale(), 1e-9);

        // Just below the clamp the scale gets its gradient again.
        logitScale(net).assign(Math.log(100) - 0.01);
        net.computeGradientAndScore();
        gs = net.gradient().getGradientFor(ContrastiveHeads.LOGITS + "_" + ContrastiveLogitsVertex.PARAM_LOGIT_SCALE);
        assertTrue(Math.abs(gs.getDouble(0)) > 1e-6, "gradient of s below the clamp: " + gs);
        assertTrue(gradientCheck(net, in, lab));
    }

    @Test
    void gradientCheckWithLabelSmoothingAndSmallerMinibatches() {
        ComputationGraph net = twoTower(DataType.DOUBLE, new NoOp(), 99);
        logitScale(net).assign(1.5);
        assertTrue(gradientCheck(net, inputs(6, 4), labels(6, 0.1)));
        // The same network with a smaller (last) minibatch, and the degenerate B = 1.
        assertTrue(gradientCheck(net, inputs(3, 5), labels(3, 0.1)));
        assertTrue(gradientCheck(net, inputs(1, 6), labels(1, 0)));
    }

    /** Symmetric cross-entropy computed with plain loops from the towers' embeddings. */
    static double bruteForceInfoNce(double[][] a, double[][] b, double scale, double smoothing) {
        int n = a.length;
        double[][] logits = bruteForceLogits(a, b, scale);
        double lossAB = 0;
        double lossBA = 0;
        for (int i = 0; i < n; i++) {
            double maxR = Double.NEGATIVE_INFINITY;
            double maxC = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                maxR = Math.max(maxR, logits[i][j]);
                maxC = Math.max(maxC, logits[j][i]);
            }
            double sumR = 0;
            double sumC = 0;
            for (int j = 0; j < n; j++) {
                sumR += Math.exp(logits[i][j] - maxR);
                sumC += Math.exp(logits[j][i] - maxC);
            }
            for (int j = 0; j < n; j++) {
                double target = (i == j ? 1 - smoothing : 0) + smoothing / n;
                lossAB -= target * (logits[i][j] - maxR - Math.log(sumR));
                lossBA -= target * (logits[j][i] - maxC - Math.log(sumC));
            }
        }
        return (lossAB / n + lossBA / n) / 2;
    }

    static double[][] bruteForceLogits(double[][] a, double[][] b, double scale) {
        int n = a.length;
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double dot = 0;
                double na = 0;
                double nb = 0;
                for (int k = 0; k < a[i].length; k++) {
                    dot += a[i][k] * b[j][k];
                    na += a[i][k] * a[i][k];
                    nb += b[j][k] * b[j][k];
                }
                out[i][j] = scale * dot / (Math.sqrt(na) * Math.sqrt(nb));
            }
        }
        return out;
    }

    @Test
    void lossAndLogitsEqualBruteForceReference() {
        ComputationGraph net = twoTower(DataType.DOUBLE, new NoOp(), 5);
        for (int b : new int[] {7, 4}) {
            for (double smoothing : new double[] {0.0, 0.1}) {
                INDArray[] in = inputs(b, 10 + b);
                Map<String, INDArray> acts = net.feedForward(in, false);
                double[][] ea = acts.get("embA").toDoubleMatrix();
                double[][] eb = acts.get("embB").toDoubleMatrix();
                double scale = Math.exp(logitScale(net).getDouble(0));

                double[][] expectedLogits = bruteForceLogits(ea, eb, scale);
                double[][] logits = acts.get(ContrastiveHeads.LOGITS).toDoubleMatrix();
                double[][] logitsT = acts.get(ContrastiveHeads.LOGITS_TRANSPOSED).toDoubleMatrix();
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < b; j++) {
                        // eps = 1e-6 inside the norm changes nothing visible at these norms.
                        assertEquals(expectedLogits[i][j], logits[i][j], 1e-9);
                        assertEquals(expectedLogits[j][i], logitsT[i][j], 1e-9);
                    }
                }
                double expected = bruteForceInfoNce(ea, eb, scale, smoothing);
                double actual = net.score(new MultiDataSet(in, labels(b, smoothing)), false);
                assertEquals(expected, actual, 1e-9 * Math.max(1, expected), "B=" + b + " smoothing=" + smoothing);
            }
        }
    }

    @Test
    void identityLabelsAreSmoothedRowsSummingToOne() {
        INDArray l = ContrastiveHeads.identityLabels(4, 0.1, DataType.FLOAT);
        assertEquals(DataType.FLOAT, l.dataType());
        assertEquals(0.9f + 0.025f, l.getFloat(2, 2), 1e-7);
        assertEquals(0.025f, l.getFloat(2, 1), 1e-7);
        assertEquals(4.0, l.sumNumber().doubleValue(), 1e-6);
        assertThrows(IllegalArgumentException.class, () -> ContrastiveHeads.identityLabels(4, 1.0, DataType.FLOAT));

        MultiDataSet mds = new MultiDataSet(new INDArray[] {Nd4j.zeros(DataType.FLOAT, 3, 2)}, null);
        ContrastiveHeads.identityLabelsPreProcessor(0.0, 0, 1).preProcess(mds);
        assertEquals(Nd4j.eye(3).castTo(DataType.FLOAT), mds.getLabels(0));
        assertEquals(Nd4j.eye(3).castTo(DataType.FLOAT), mds.getLabels(1));
    }

    @Test
    void updaterIsInheritedWhenVertexIsAddedDirectly() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(1).dataType(DataType.FLOAT).updater(new Adam(3e-3)).weightDecay(1e-2)
                .graphBuilder()
                .addInputs("inA", "inB")
                .addLayer("embA", new DenseLayer.Builder().nIn(DIN_A).nOut(EMB).build(), "inA")
                .addLayer("embB", new DenseLayer.Builder().nIn(DIN_B).nOut(EMB).build(), "inB")
                .addVertex("logits", new ContrastiveLogitsVertex(), "embA", "embB")
                .addLayer("loss", new org.deeplearning4j.nn.conf.layers.LossLayer.Builder(new LossScaledMCXENT(1.0))
                        .activation(Activation.SOFTMAX).build(), "logits")
                .setOutputs("loss")
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        ContrastiveLogitsVertex v = (ContrastiveLogitsVertex) conf.getVertices().get("logits");
        assertEquals(new Adam(3e-3), v.getUpdaterByParam(ContrastiveLogitsVertex.PARAM_LOGIT_SCALE));
        assertTrue(v.getRegularization().get(0) instanceof WeightDecay);
        // The logit scale is bias-like: no weight decay on it (as open_clip).
        assertTrue(v.getRegularizationByParam(ContrastiveLogitsVertex.PARAM_LOGIT_SCALE).isEmpty());

        INDArray[] in = {Nd4j.randn(DataType.FLOAT, 8, DIN_A), Nd4j.randn(DataType.FLOAT, 8, DIN_B)};
        double before = net.getVertex("logits").params().getDouble(0);
        net.fit(new MultiDataSet(in, new INDArray[] {ContrastiveHeads.identityLabels(8, 0, DataType.FLOAT)}));
        assertTrue(net.getVertex("logits").params().getDouble(0) != before, "the logit scale was updated");
    }

    @Test
    void jsonRoundTripAndClonedConfigurationEqualOriginal() {
        ComputationGraph net = twoTower(DataType.FLOAT, new Adam(1e-3), 3);
        ComputationGraphConfiguration conf = net.getConfiguration();
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(conf.getVertices().get(ContrastiveHeads.LOGITS), back.getVertices().get(ContrastiveHeads.LOGITS));
        assertEquals(conf.getVertices().get(ContrastiveHeads.LOGITS_TRANSPOSED),
                back.getVertices().get(ContrastiveHeads.LOGITS_TRANSPOSED));
        assertEquals(json, back.toJson());

        ComputationGraphConfiguration cloned = conf.clone();
        GraphVertex original = conf.getVertices().get(ContrastiveHeads.LOGITS);
        GraphVertex copy = cloned.getVertices().get(ContrastiveHeads.LOGITS);
        assertEquals(original, copy);
        assertNotSame(original, copy);
    }

    @Test
    void cloneCopiesEveryField() throws Exception {
        ContrastiveLogitsVertex v = ContrastiveLogitsVertex.builder().initialTemperature(0.2).maxScale(50)
                .normEpsilon(1e-5).updater(new Adam(0.01)).build();
        v.setName("logits");
        v.setBiasUpdater(new Sgd(0.5));
        v.setRegularization(List.of(new L2Regularization(1e-4)));
        v.setRegularizationBias(List.of(new WeightDecay(1e-3, true)));
        v.setGradientNormalization(GradientNormalization.ClipL2PerLayer);
        v.setGradientNormalizationThreshold(3.0);
        v.setDataType(DataType.DOUBLE);
        assertEveryFieldSetAndCopied(v, v.clone());
    }

    /** Every instance field (own and inherited) must be set in the fixture and equal, not shared, in the clone. */
    static void assertEveryFieldSetAndCopied(Object original, Object clone) throws IllegalAccessException {
        assertEquals(original, clone);
        assertEquals(original.hashCode(), clone.hashCode());
        List<String> checked = new ArrayList<>();
        for (Class<?> c = original.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                f.setAccessible(true);
                Object a = f.get(original);
                Object b = f.get(clone);
                assertNotNull(a, "fixture leaves field " + f.getName() + " unset: the test would not see it copied");
                assertTrue(Objects.deepEquals(a, b), "clone() did not copy " + c.getSimpleName() + "." + f.getName());
                if (!(a instanceof Number || a instanceof String || a instanceof Enum || a instanceof Boolean)) {
                    assertNotSame(a, b, "clone() shares mutable field " + f.getName());
                }
                checked.add(f.getName());
            }
        }
        assertTrue(checked.contains("updater") && checked.contains("dataType"), "fields checked: " + checked);
    }

    @Test
    void modelSerializerRoundTripIsBitIdentical(@TempDir File dir) throws Exception {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        ComputationGraph net = twoTower(DataType.FLOAT, new Adam(1e-2), 11);
        Nd4j.getRandom().setSeed(12);
        INDArray[] in = {Nd4j.randn(DataType.FLOAT, 8, DIN_A), Nd4j.randn(DataType.FLOAT, 8, DIN_B)};
        INDArray eye = ContrastiveHeads.identityLabels(8, 0, DataType.FLOAT);
        for (int i = 0; i < 3; i++) {
            net.fit(new MultiDataSet(in, new INDArray[] {eye, eye.dup()}));
        }
        File f = new File(dir, "net.zip");
        ModelSerializer.writeModel(net, f, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(f, true);

        assertEquals(net.params(), restored.params());
        assertEquals(net.getUpdater().getStateViewArray(), restored.getUpdater().getStateViewArray());
        INDArray[] o1 = net.output(in);
        INDArray[] o2 = restored.output(in);
        for (int i = 0; i < o1.length; i++) {
            assertArrayEquals(o1[i].data().asFloat(), o2[i].data().asFloat(), 0.0f);
        }
        // Training continues identically after the restore.
        net.fit(new MultiDataSet(in, new INDArray[] {eye, eye.dup()}));
        restored.fit(new MultiDataSet(in, new INDArray[] {eye, eye.dup()}));
        assertArrayEquals(net.params().data().asFloat(), restored.params().data().asFloat(), 0.0f);
    }

    @Test
    void everyForwardModeWorksWithWorkspacesAndNetworkCloneMatches() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        ComputationGraph net = twoTower(DataType.FLOAT, new Adam(1e-2), 13);
        INDArray[] in = {Nd4j.randn(DataType.FLOAT, 5, DIN_A), Nd4j.randn(DataType.FLOAT, 5, DIN_B)};
        INDArray expected = net.output(false, in)[0];
        // Training-mode forward passes keep backward caches in the INPUT workspace: they must not break inference.
        assertEquals(expected, net.feedForward(in, true).get(ContrastiveHeads.LOSS_A_TO_B));
        assertEquals(expected, net.output(true, in)[0]);
        assertEquals(expected, net.feedForward(in, false).get(ContrastiveHeads.LOSS_A_TO_B));
        assertEquals(1.0, expected.sum(1).getDouble(0), 1e-5); // softmax rows
        ComputationGraph copy = net.clone();
        assertArrayEquals(expected.data().asFloat(), copy.output(false, in)[0].data().asFloat(), 0.0f);
    }

    @Test
    void transposeVertexTransposesForwardAndBackwardAndRejectsNonSquare() {
        TransposeVertexImpl t = new TransposeVertexImpl(null, "t", 0, DataType.DOUBLE);
        org.deeplearning4j.nn.workspace.LayerWorkspaceMgr mgr =
                org.deeplearning4j.nn.workspace.LayerWorkspaceMgr.noWorkspaces();
        INDArray x = Nd4j.arange(9).castTo(DataType.DOUBLE).reshape(3, 3);
        t.setInputs(new INDArray[] {x});
        assertEquals(x.transpose(), t.doForward(true, mgr));
        INDArray eps = Nd4j.randn(DataType.DOUBLE, 3, 3);
        t.setEpsilon(eps);
        assertEquals(eps.transpose(), t.doBackward(false, mgr).getSecond()[0]);
        t.setInputs(new INDArray[] {Nd4j.zeros(DataType.DOUBLE, 2, 3)});
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.doForward(false, mgr));
        assertTrue(e.getMessage().contains("square"), e.getMessage());
    }

    @Test
    void builderRejectsBadKnobs() {
        assertThrows(IllegalArgumentException.class, () -> ContrastiveLogitsVertex.builder().initialTemperature(0));
        assertThrows(IllegalArgumentException.class, () -> ContrastiveLogitsVertex.builder().maxScale(-1));
        assertThrows(IllegalArgumentException.class, () -> ContrastiveLogitsVertex.builder().normEpsilon(0.5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContrastiveLogitsVertex.builder().initialTemperature(0.001).maxScale(100).build());
        assertTrue(e.getMessage().contains("clamped"), e.getMessage());
    }

    @Test
    void mismatchedEmbeddingSizesFailAtConfigurationTime() {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
                .graphBuilder()
                .addInputs("inA", "inB")
                .setInputTypes(InputType.feedForward(3), InputType.feedForward(3))
                .addLayer("embA", new DenseLayer.Builder().nOut(4).build(), "inA")
                .addLayer("embB", new DenseLayer.Builder().nOut(5).build(), "inB");
        ContrastiveHeads.Names names = ContrastiveHeads.addSymmetricInfoNce(gb, "embA", "embB", "clip");
        assertEquals("cliplogits", names.logits());
        Exception e = assertThrows(Exception.class, () -> gb.setOutputs(names.outputs()).build());
        Throwable t = e;
        while (t.getCause() != null && !t.getMessage().contains("same embedding size")) {
            t = t.getCause();
        }
        assertTrue(t.getMessage().contains("same embedding size"), e.toString());
    }
}
