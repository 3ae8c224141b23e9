package ai.chorus.models.blocks;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
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
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.io.File;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GatedFusionVertexTest {

    private static final int D = 5;
    private static final int CLASSES = 3;

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

    /** x -> dense -> a; y -> dense -> attended; fuse(a, attended) -> softmax classifier. */
    private static ComputationGraph classifier(DataType dt, IUpdater updater, WorkspaceMode mode, double gateBias) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(21).dataType(dt).updater(updater).weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode)
                .graphBuilder()
                .addInputs("x", "y")
                .setInputTypes(InputType.feedForward(4), InputType.feedForward(3))
                .addLayer("a", new DenseLayer.Builder().nOut(D).activation(Activation.TANH).build(), "x")
                .addLayer("att", new DenseLayer.Builder().nOut(D).activation(Activation.TANH).build(), "y")
                .addVertex("fuse", GatedFusionVertex.builder().size(D).gateBiasInit(gateBias).build(), "a", "att")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES)
                        .activation(Activation.SOFTMAX).build(), "fuse")
                .setOutputs("out")
                .build();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        return net;
    }

    private static MultiDataSet data(int b, long seed, DataType dt) {
        Nd4j.getRandom().setSeed(seed);
        INDArray labels = Nd4j.zeros(dt, b, CLASSES);
        for (int i = 0; i < b; i++) {
            labels.putScalar(i, i % CLASSES, 1.0);
        }
        return new MultiDataSet(new INDArray[] {Nd4j.randn(dt, b, 4), Nd4j.randn(dt, b, 3)}, new INDArray[] {labels});
    }

    private static boolean gradientCheck(ComputationGraph net, MultiDataSet mds) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(mds.getFeatures()).labels(mds.getLabels())
                .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8));
    }

    @Test
    void gradientCheckInsideTinyClassifier() {
        ComputationGraph net = classifier(DataType.DOUBLE, new NoOp(), WorkspaceMode.ENABLED, 0.0);
        Map<String, INDArray> table = net.paramTable();
        assertTrue(table.containsKey("fuse_W") && table.containsKey("fuse_b"), table.keySet().toString());
        assertEquals(2L * D * D + D, net.getVertex("fuse").numParams());
        // Random bias so that the bias gradient is not symmetric around a 0.5 gate.
        table.get("fuse_b").assign(Nd4j.randn(DataType.DOUBLE, 1, D));
        assertTrue(gradientCheck(net, data(6, 1, DataType.DOUBLE)));
        assertTrue(gradientCheck(net, data(2, 2, DataType.DOUBLE)), "smaller minibatch");
    }

    @Test
    void gradientCheckWithGateLeaningOneWay() {
        ComputationGraph net = classifier(DataType.DOUBLE, new NoOp(), WorkspaceMode.NONE, 2.0);
        assertEquals(2.0, net.getVertex("fuse").paramTable(false).get("b").getDouble(0), 0.0);
        assertTrue(gradientCheck(net, data(4, 3, DataType.DOUBLE)));
    }

    @Test
    void forwardEqualsBruteForce() {
        ComputationGraph net = classifier(DataType.DOUBLE, new NoOp(), WorkspaceMode.ENABLED, 0.0);
        Map<String, INDArray> p = net.getVertex("fuse").paramTable(false);
        p.get("b").assign(Nd4j.randn(DataType.DOUBLE, 1, D));
        double[][] w = p.get("W").toDoubleMatrix();
        double[] bias = p.get("b").toDoubleVector();
        MultiDataSet mds = data(3, 9, DataType.DOUBLE);
        Map<String, INDArray> acts = net.feedForward(mds.getFeatures(), false);
        double[][] a = acts.get("a").toDoubleMatrix();
        double[][] att = acts.get("att").toDoubleMatrix();
        double[][] fused = acts.get("fuse").toDoubleMatrix();
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < D; j++) {
                double z = bias[j];
                for (int k = 0; k < D; k++) {
                    z += a[i][k] * w[k][j] + att[i][k] * w[D + k][j];
                }
                double g = 1 / (1 + Math.exp(-z));
                assertEquals(g * a[i][j] + (1 - g) * att[i][j], fused[i][j], 1e-12);
            }
        }
    }

    @Test
    void trainsTheSameWithWorkspacesEnabledAndNone() {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        ComputationGraph enabled = classifier(DataType.FLOAT, new Adam(5e-2), WorkspaceMode.ENABLED, 0.0);
        ComputationGraph none = classifier(DataType.FLOAT, new Adam(5e-2), WorkspaceMode.NONE, 0.0);
        assertEquals(enabled.params(), none.params());
        MultiDataSet full = data(12, 4, DataType.FLOAT);
        MultiDataSet small = data(5, 5, DataType.FLOAT);
        double first = Double.NaN;
        for (int i = 0; i < 30; i++) {
            MultiDataSet mds = i % 3 == 2 ? small : full;
            enabled.fit(mds);
            none.fit(mds);
            if (i == 0) {
                first = enabled.score(full);
            }
        }
        System.out.println("gated fusion loss " + first + " -> " + enabled.score(full));
        assertTrue(enabled.score(full) < first / 2, "loss " + first + " -> " + enabled.score(full));
        double maxDiff = enabled.params().sub(none.params()).amax().getDouble(0);
        System.out.println("gated fusion ENABLED vs NONE max |param diff| = " + maxDiff);
        assertTrue(maxDiff < 1e-4, "ENABLED vs NONE parameters differ by " + maxDiff);
    }

    @Test
    void jsonRoundTripSerializerRoundTripAndClone(@TempDir File dir) throws Exception {
        Nd4j.setDefaultDataTypes(DataType.FLOAT, DataType.FLOAT);
        ComputationGraph net = classifier(DataType.FLOAT, new Adam(1e-2), WorkspaceMode.ENABLED, 1.0);
        MultiDataSet mds = data(8, 6, DataType.FLOAT);
        for (int i = 0; i < 3; i++) {
            net.fit(mds);
        }
        ComputationGraphConfiguration conf = net.getConfiguration();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, back);
        assertEquals(conf.getVertices().get("fuse"), back.getVertices().get("fuse"));
        GraphVertex cloned = conf.clone().getVertices().get("fuse");
        assertEquals(conf.getVertices().get("fuse"), cloned);
        assertNotSame(conf.getVertices().get("fuse"), cloned);

        File f = new File(dir, "fusion.zip");
        ModelSerializer.writeModel(net, f, true);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(f, true);
        assertArrayEquals(net.outputSingle(mds.getFeatures()).data().asFloat(),
                restored.outputSingle(mds.getFeatures()).data().asFloat(), 0.0f);
        net.fit(mds);
        restored.fit(mds);
        assertArrayEquals(net.params().data().asFloat(), restored.params().data().asFloat(), 0.0f);
    }

    @Test
    void cloneCopiesEveryField() throws Exception {
        GatedFusionVertex v = GatedFusionVertex.builder().size(7).weightInit(WeightInit.RELU).gateBiasInit(-1)
                .updater(new Adam(0.02)).build();
        v.setName("fuse");
        v.setBiasUpdater(new Sgd(0.1));
        v.setRegularization(List.of(new WeightDecay(0.1, true)));
        v.setRegularizationBias(List.of(new L2Regularization(1e-5)));
        v.setGradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue);
        v.setGradientNormalizationThreshold(0.5);
        v.setDataType(DataType.FLOAT);
        ContrastiveLogitsVertexTest.assertEveryFieldSetAndCopied(v, v.clone());
        assertEquals(v.getRegularization(), v.getRegularizationByParam("W"));
        assertEquals(v.getRegularizationBias(), v.getRegularizationByParam("b"));
        assertEquals(new Sgd(0.1), v.getUpdaterByParam("b"));
        assertEquals(new Adam(0.02), v.getUpdaterByParam("W"));
        assertThrows(IllegalStateException.class, () -> v.getUpdaterByParam("W_x"));
    }

    @Test
    void rejectsBadKnobsAndMismatchedInputs() {
        assertThrows(IllegalArgumentException.class, () -> GatedFusionVertex.builder().size(0));
        assertThrows(IllegalArgumentException.class, () -> GatedFusionVertex.builder().gateBiasInit(10));
        assertThrows(IllegalStateException.class, () -> GatedFusionVertex.builder().build());
        Exception e = assertThrows(Exception.class, () -> new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("x", "y")
                .setInputTypes(InputType.feedForward(4), InputType.feedForward(6))
                .addVertex("fuse", GatedFusionVertex.builder().size(4).build(), "x", "y")
                .setOutputs("fuse").build());
        Throwable t = e;
        while (t.getCause() != null && (t.getMessage() == null || !t.getMessage().contains("GatedFusionVertex(size=4)"))) {
            t = t.getCause();
        }
        assertTrue(t.getMessage().contains("GatedFusionVertex(size=4)"), e.toString());
    }
}
