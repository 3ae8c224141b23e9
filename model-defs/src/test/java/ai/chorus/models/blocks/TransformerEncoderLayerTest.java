package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformerEncoderLayerTest {




    // Small enough for fast full gradient checks (every parameter entry), big enough for 2 heads of 2 channels.
    private static final int C = 4;
    private static final int HEADS = 2;

    /** in [B, C, T] -> `layers` encoder blocks -> RnnOutputLayer (per-position loss). */
    static ComputationGraphConfiguration graph(DataType dt, IUpdater updater, WorkspaceMode wm, int c, int heads,
                                               int layers, boolean causal, double dropout, int nOut,
                                               LossFunctions.LossFunction loss, Activation outAct) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder()
                .seed(42).dataType(dt).updater(updater).weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(wm).inferenceWorkspaceMode(wm)
                .graphBuilder().addInputs("in").setInputTypes(InputType.recurrent(c));
        String prev = "in";
        for (int i = 0; i < layers; i++) {
            g.addLayer("enc" + i, new TransformerEncoderLayer.Builder().nIn(c).nHeads(heads).mlpRatio(2)
                    .causal(causal).dropout(dropout).build(), prev);
            prev = "enc" + i;
        }
        g.addLayer("out", new RnnOutputLayer.Builder(loss).activation(outAct).nIn(c).nOut(nOut).build(), prev);
        return g.setOutputs("out").build();
    }

    private static ComputationGraph doubleNet(int layers, boolean causal) {
        ComputationGraph net = new ComputationGraph(graph(DataType.DOUBLE, new NoOp(), WorkspaceMode.ENABLED, C, HEADS,
                layers, causal, 0.0, 3, LossFunctions.LossFunction.MSE, Activation.IDENTITY));
        net.init();
        // LayerNorm gains/biases away from 1/0 so that their gradients are not special cases.
        Random r = new Random(7);
        for (Map.Entry<String, INDArray> e : net.paramTable().entrySet()) {
            if (e.getKey().contains("_ln")) {
                e.getValue().addi(gaussian(r, DataType.DOUBLE, e.getValue().shape()).muli(0.3));
            }
        }
        return net;
    }

    @Test
    void gradientCheckTwoStackedLayersNoMask() {
        ComputationGraph net = doubleNet(2, false);
        Random r = new Random(1);
        INDArray x = gaussian(r, DataType.DOUBLE, 2, C, 5);
        INDArray y = gaussian(r, DataType.DOUBLE, 2, 3, 5);
        BlockTestSupport.assertGradientsOk(net, new INDArray[] {x}, null, new INDArray[] {y}, null);
    }

    @Test
    void gradientCheckWithPaddingMask() {
        ComputationGraph net = doubleNet(1, false);
        Random r = new Random(2);
        INDArray x = gaussian(r, DataType.DOUBLE, 3, C, 5);
        INDArray y = gaussian(r, DataType.DOUBLE, 3, 3, 5);
        INDArray m = lengthsMask(DataType.DOUBLE, 5, 5, 3, 1);
        BlockTestSupport.assertGradientsOk(net, new INDArray[] {x}, new INDArray[] {m}, new INDArray[] {y},
                new INDArray[] {m});
    }

    @Test
    void gradientCheckCausalWithPaddingMask() {
        ComputationGraph net = doubleNet(1, true);
        Random r = new Random(3);
        INDArray x = gaussian(r, DataType.DOUBLE, 2, C, 6);
        INDArray y = gaussian(r, DataType.DOUBLE, 2, 3, 6);
        INDArray m = lengthsMask(DataType.DOUBLE, 6, 6, 4);
        BlockTestSupport.assertGradientsOk(net, new INDArray[] {x}, new INDArray[] {m}, new INDArray[] {y},
                new INDArray[] {m});
    }

    /**
     * Changing what is in the padding, and how much padding there is, changes nothing at real positions: outputs
     * (every layer) and parameter gradients agree to 1e-6 (double).
     */
    @Test
    void paddingContentAndLengthDoNotInfluenceRealPositions() {
        for (boolean causal : new boolean[] {false, true}) {
            ComputationGraph net = doubleNet(2, causal);
            int[] lengths = {5, 3, 1};
            Random r = new Random(4);
            INDArray real = gaussian(r, DataType.DOUBLE, 3, C, 5);
            INDArray labels = gaussian(r, DataType.DOUBLE, 3, 3, 5);

            Result ref = run(net, real, labels, lengths, 5, new Random(10));
            for (int t : new int[] {5, 7, 10}) {
                for (int seed = 11; seed < 13; seed++) {
                    Result other = run(net, real, labels, lengths, t, new Random(seed));
                    for (String layer : new String[] {"enc0", "enc1", "out"}) {
                        for (int b = 0; b < lengths.length; b++) {
                            INDArray a = ref.acts.get(layer).get(NDArrayIndex.point(b), NDArrayIndex.all(),
                                    NDArrayIndex.interval(0, lengths[b]));
                            INDArray o = other.acts.get(layer).get(NDArrayIndex.point(b), NDArrayIndex.all(),
                                    NDArrayIndex.interval(0, lengths[b]));
                            double diff = a.sub(o).amaxNumber().doubleValue();
                            assertTrue(diff < 1e-6, "causal=" + causal + " T=" + t + " " + layer + " sample " + b
                                    + ": real positions changed by " + diff);
                        }
                    }
                    double gdiff = ref.gradient.sub(other.gradient).amaxNumber().doubleValue();
                    assertTrue(gdiff < 1e-6, "causal=" + causal + " T=" + t + ": gradients changed by " + gdiff);
                    assertEquals(ref.score, other.score, 1e-9);
                }
            }
        }
    }

    private static final class Result {
        Map<String, INDArray> acts;
        INDArray gradient;
        double score;
    }

    /** Real data in the first positions, random junk (seeded by {@code junk}) in the padding up to length t. */
    private static Result run(ComputationGraph net, INDArray real, INDArray labels, int[] lengths, int t, Random junk) {
        long b = real.size(0);
        INDArray x = gaussian(junk, DataType.DOUBLE, b, C, t).muli(5);
        INDArray y = gaussian(junk, DataType.DOUBLE, b, 3, t);
        INDArray m = lengthsMask(DataType.DOUBLE, t, lengths);
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < lengths[i]; j++) {
                x.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.point(j))
                        .assign(real.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.point(j)));
                y.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.point(j))
                        .assign(labels.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.point(j)));
            }
        }
        Result res = new Result();
        net.setLayerMaskArrays(new INDArray[] {m}, new INDArray[] {m});
        res.acts = net.feedForward(new INDArray[] {x}, false, false);
        net.clearLayerMaskArrays();
        net.setInputs(x);
        net.setLabels(y);
        net.setLayerMaskArrays(new INDArray[] {m}, new INDArray[] {m});
        net.computeGradientAndScore();
        Gradient g = net.gradient();
        res.gradient = g.gradient().dup();
        res.score = net.score();
        net.clearLayerMaskArrays();
        return res;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Training.

    /**
     * Majority vote over a padded binary sequence, predicted at every real position: impossible position by position,
     * easy with attention. Sequences have odd lengths 5..9 (no ties); padding holds junk.
     */
    static MultiDataSet majorityTask(int n, int c, long seed) {
        Random r = new Random(seed);
        INDArray emb = gaussian(new Random(99), DataType.FLOAT, 2, c);
        int t = 9;
        INDArray x = gaussian(r, DataType.FLOAT, n, c, t).muli(3);
        INDArray y = Nd4j.zeros(DataType.FLOAT, n, 2, t);
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            lengths[i] = 5 + 2 * r.nextInt(3);
            int ones = 0;
            int[] tok = new int[lengths[i]];
            for (int j = 0; j < lengths[i]; j++) {
                tok[j] = r.nextInt(2);
                ones += tok[j];
            }
            int label = 2 * ones > lengths[i] ? 1 : 0;
            for (int j = 0; j < lengths[i]; j++) {
                x.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.point(j))
                        .assign(emb.getRow(tok[j]).add(gaussian(r, DataType.FLOAT, c).muli(0.1)));
                y.putScalar(i, label, j, 1.0);
            }
        }
        INDArray m = lengthsMask(DataType.FLOAT, t, lengths);
        return new MultiDataSet(new INDArray[] {x}, new INDArray[] {y}, new INDArray[] {m}, new INDArray[] {m});
    }

    private static double[] train(WorkspaceMode wm, MultiDataSet data, int steps) {
        ComputationGraph net = new ComputationGraph(graph(DataType.FLOAT, new Adam(1e-2), wm, 16, 2, 2, false, 0.0, 2,
                LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX));
        net.init();
        double[] scores = new double[steps];
        for (int i = 0; i < steps; i++) {
            net.fit(data);
            scores[i] = net.score();
        }
        return scores;
    }

    @Test
    void learnsAnAttentionTaskAndWorkspacesDoNotChangeTheLossCurve() {
        MultiDataSet data = majorityTask(32, 16, 5);
        int steps = 25;
        double[] on = train(WorkspaceMode.ENABLED, data, steps);
        double[] off = train(WorkspaceMode.NONE, data, steps);
        for (int i = 0; i < steps; i++) {
            assertTrue(Double.isFinite(on[i]), "step " + i + ": score " + on[i]);
            assertEquals(off[i], on[i], 1e-4 * Math.max(1, Math.abs(off[i])),
                    "step " + i + ": workspaces ENABLED vs NONE");
        }
        double first = on[0];
        double last = (on[steps - 1] + on[steps - 2] + on[steps - 3]) / 3;
        // DL4J's score sums the per-position losses of a sequence (5..9 positions of ~ln 2 each at chance).
        assertTrue(first > 5 * Math.log(2) * 0.9, "initial loss should be at least chance level, got " + first);
        assertTrue(last < 0.25 * first, "loss should fall well below its start: " + first + " -> " + last);
    }

    @Test
    void residualDropoutIsActiveOnlyInTraining() {
        ComputationGraph drop = new ComputationGraph(graph(DataType.FLOAT, new Adam(1e-3), WorkspaceMode.ENABLED, 16,
                2, 1, false, 0.3, 2, LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX));
        drop.init();
        ComputationGraph plain = new ComputationGraph(graph(DataType.FLOAT, new Adam(1e-3), WorkspaceMode.ENABLED, 16,
                2, 1, false, 0.0, 2, LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX));
        plain.init();
        plain.setParams(drop.params());
        MultiDataSet data = majorityTask(8, 16, 6);
        INDArray[] x = data.getFeatures();
        INDArray[] m = data.getFeaturesMaskArrays();
        assertBitIdentical(plain.output(false, x, m)[0], drop.output(false, x, m)[0], "inference output");
        drop.setLayerMaskArrays(m, null);
        INDArray a = drop.feedForward(x, true, false).get("enc0").dup();
        INDArray b = drop.feedForward(x, true, false).get("enc0").dup();
        assertNotEquals(0.0, a.sub(b).amaxNumber().doubleValue(), "two training passes drew the same dropout mask");
        drop.fit(data);
        assertTrue(Double.isFinite(drop.score()));
    }

    /** Length-1 sequences, a batch of one, and use inside a MultiLayerNetwork (mask via setLayerMaskArrays). */
    @Test
    void degenerateShapesAndMultiLayerNetwork() {
        org.deeplearning4j.nn.multilayer.MultiLayerNetwork mln = new org.deeplearning4j.nn.multilayer.MultiLayerNetwork(
                new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT).updater(new Adam(1e-2))
                        .list()
                        .layer(new TransformerEncoderLayer.Builder().nIn(8).nHeads(2).causal(true).build())
                        .layer(new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                                .nIn(8).nOut(2).build())
                        .setInputType(InputType.recurrent(8)).build());
        mln.init();
        Random r = new Random(9);
        for (long[] bt : new long[][] {{1, 1}, {3, 1}, {1, 6}, {4, 6}}) {
            INDArray x = gaussian(r, DataType.FLOAT, bt[0], 8, bt[1]);
            INDArray y = gaussian(r, DataType.FLOAT, bt[0], 2, bt[1]);
            INDArray m = Nd4j.ones(DataType.FLOAT, bt[0], bt[1]);
            org.nd4j.linalg.dataset.DataSet ds = new org.nd4j.linalg.dataset.DataSet(x, y, m, m);
            mln.fit(ds);
            assertTrue(Double.isFinite(mln.score()), java.util.Arrays.toString(bt));
            assertEquals(java.util.List.of(bt[0], 2L, bt[1]),
                    java.util.List.of(mln.output(x).size(0), mln.output(x).size(1), mln.output(x).size(2)));
        }
        // The memory report is computable from the configuration.
        ComputationGraphConfiguration conf = graph(DataType.FLOAT, new Adam(1e-3), WorkspaceMode.ENABLED, 16, 4, 1,
                false, 0.0, 2, LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX);
        assertTrue(conf.getMemoryReport(InputType.recurrent(16, 65)).getTotalMemoryBytes(64,
                org.deeplearning4j.nn.conf.memory.MemoryUseMode.TRAINING, org.deeplearning4j.nn.conf.CacheMode.NONE,
                DataType.FLOAT) > 0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Configuration and persistence.

    @Test
    void jsonRoundTripAndClone() {
        ComputationGraphConfiguration conf = graph(DataType.FLOAT, new Adam(1e-3), WorkspaceMode.ENABLED, 16, 4, 2,
                true, 0.1, 2, LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX);
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        TransformerEncoderLayer l = (TransformerEncoderLayer) ((org.deeplearning4j.nn.conf.graph.LayerVertex) back
                .getVertices().get("enc1")).getLayerConf().getLayer();
        assertEquals(4, l.getNHeads());
        assertEquals(2.0, l.getMlpRatio());
        assertEquals(0.1, l.getDropout());
        assertTrue(l.isCausal());
        assertEquals(16, l.getNIn());
        assertEquals(16, l.getNOut());
        assertEquals(new Adam(1e-3), l.getIUpdater());
        TransformerEncoderLayer copy = l.clone();
        assertEquals(l, copy);
        assertEquals(l.getIUpdater(), copy.getUpdaterByParam("Wq"));
        assertEquals(l.getIUpdater(), copy.getUpdaterByParam("ln1g"));
    }

    @Test
    void parameterNamesLayoutAndValidation() {
        ComputationGraph net = doubleNet(1, false);
        Map<String, INDArray> p = net.getLayer("enc0").paramTable();
        assertEquals(java.util.List.of("ln1g", "ln1b", "Wq", "Wk", "Wv", "bq", "bk", "bv", "Wo", "bo", "ln2g", "ln2b",
                "W1", "b1", "W2", "b2"), new java.util.ArrayList<>(p.keySet()));
        for (String k : p.keySet()) {
            assertTrue(!k.contains("_"), "DL4J parameter names must not contain '_': " + k);
        }
        assertEquals(C * 2 * C, p.get("W1").length());
        long expected = 4L * C + 4L * C * C + 4L * C + 2L * (2L * C * C) + 2L * C + C;
        assertEquals(expected, net.getLayer("enc0").numParams());

        assertThrows(IllegalStateException.class,
                () -> new TransformerEncoderLayer.Builder().nIn(10).nHeads(4).build(), "10 channels, 4 heads");
        assertThrows(IllegalStateException.class, () -> new TransformerEncoderLayer.Builder().nIn(8).build());
        assertThrows(IllegalArgumentException.class,
                () -> new TransformerEncoderLayer.Builder().nIn(8).nHeads(2).dropout(1.0));
        assertThrows(IllegalStateException.class,
                () -> new TransformerEncoderLayer.Builder().nIn(8).nOut(16).nHeads(2).build());
    }

    @Test
    void modelSerializerRoundTripIsBitIdentical() throws Exception {
        ComputationGraph net = new ComputationGraph(graph(DataType.FLOAT, new Adam(1e-2), WorkspaceMode.ENABLED, 16, 2,
                2, true, 0.0, 2, LossFunctions.LossFunction.MCXENT, Activation.SOFTMAX));
        net.init();
        MultiDataSet data = majorityTask(16, 16, 8);
        for (int i = 0; i < 3; i++) {
            net.fit(data);
        }
        ComputationGraph back = BlockTestSupport.assertSerializerRoundTrip(net, data.getFeatures(),
                data.getFeaturesMaskArrays());
        // Training continues identically from the restored state.
        net.fit(data);
        back.fit(data);
        assertBitIdentical(net.params(), back.params(), "parameters after one more step");
    }
}
