package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contrastive head with presence inputs ({@link ContrastiveHeads#addMaskedSymmetricInfoNce},
 * {@link ContrastiveLogitsVertex} with more than two inputs, {@link LossMaskedInfoNce}) on two dense towers.
 */
@ExtendWith(BlockTestSupport.DoublePrecision.class)
class MaskedContrastiveHeadsTest {
    private static final int DIN_A = 4;
    private static final int DIN_B = 3;
    private static final int EMB = 5;

    /** inA, inB -> tanh dense -> embeddings; masked (with presence inputs pA, pB) or CLIP's plain head. */
    private static ComputationGraph twoTower(boolean masked, double weight) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder();
        if (masked) {
            gb.addInputs("inA", "inB", "pA", "pB").setInputTypes(InputType.feedForward(DIN_A),
                    InputType.feedForward(DIN_B), InputType.feedForward(1), InputType.feedForward(1));
        } else {
            gb.addInputs("inA", "inB").setInputTypes(InputType.feedForward(DIN_A), InputType.feedForward(DIN_B));
        }
        gb.addLayer("embA", new DenseLayer.Builder().nOut(EMB).activation(Activation.TANH).build(), "inA")
                .addLayer("embB", new DenseLayer.Builder().nOut(EMB).activation(Activation.TANH).build(), "inB");
        ContrastiveLogitsVertex logits = ContrastiveLogitsVertex.builder().initialLogitScale(1.2).build();
        ContrastiveHeads.Names names = masked
                ? ContrastiveHeads.addMaskedSymmetricInfoNce(gb, "embA", "embB", "", logits, weight, "pA", "pB")
                : ContrastiveHeads.addSymmetricInfoNce(gb, "embA", "embB", "", logits);
        ComputationGraph g = new ComputationGraph(gb.setOutputs(names.outputs()).build());
        g.init();
        return g;
    }

    private static INDArray column(double... v) {
        return Nd4j.create(v, new long[] {v.length, 1}, DataType.DOUBLE);
    }

    private static INDArray[] features(int b, long seed, INDArray pA, INDArray pB) {
        Random r = new Random(seed);
        INDArray a = BlockTestSupport.gaussian(r, DataType.DOUBLE, b, DIN_A);
        INDArray bb = BlockTestSupport.gaussian(r, DataType.DOUBLE, b, DIN_B);
        return pA == null ? new INDArray[] {a, bb} : new INDArray[] {a, bb, pA, pB};
    }

    private static INDArray[] labels(int b, double smoothing) {
        INDArray l = ContrastiveHeads.identityLabels(b, smoothing, DataType.DOUBLE);
        return new INDArray[] {l, l.dup()};
    }

    private static double score(ComputationGraph g, INDArray[] x, INDArray[] y) {
        return g.score(new MultiDataSet(x, y), false);
    }

    @Test
    void everyonePresentIsClipsLoss() {
        ComputationGraph masked = twoTower(true, 1.0);
        ComputationGraph plain = twoTower(false, 1.0);
        plain.setParams(masked.params());
        INDArray ones = column(1, 1, 1, 1, 1);
        INDArray[] x = features(5, 1, ones, ones.dup());
        INDArray[] xPlain = {x[0], x[1]};
        assertEquals(score(plain, xPlain, labels(5, 0)), score(masked, x, labels(5, 0)), 1e-12);

        masked.setInputs(x);
        masked.setLabels(labels(5, 0));
        masked.computeGradientAndScore();
        plain.setInputs(xPlain);
        plain.setLabels(labels(5, 0));
        plain.computeGradientAndScore();
        assertTrue(masked.gradient().gradient().equalsWithEps(plain.gradient().gradient(), 1e-12));
    }

    @Test
    void gradientCheckWithAbsentSamplesOnEitherSide() {
        ComputationGraph g = twoTower(true, 0.6);
        // Sample 1 lacks A, sample 3 lacks B, sample 4 lacks both: 3 of 6 pairs take part.
        INDArray[] x = features(6, 2, column(1, 0, 1, 1, 0, 1), column(1, 1, 1, 0, 0, 1));
        BlockTestSupport.assertGradientsOk(g, x, null, labels(6, 0));
        BlockTestSupport.assertGradientsOk(g, x, null, labels(6, 0.1));
    }

    @Test
    void lossIsTheMeanOverPresentPairsWithLabelsRenormalisedOverPresentCandidates() {
        double weight = 0.6;
        ComputationGraph g = twoTower(true, weight);
        boolean[] present = {true, false, true, true, false, true};
        INDArray[] x = features(6, 4, column(1, 0, 1, 1, 1, 1), column(1, 1, 1, 1, 0, 1));
        for (double smoothing : new double[] {0.0, 0.2}) {
            java.util.Map<String, INDArray> acts = g.feedForward(x, false);
            double[][] a = acts.get("embA").toDoubleMatrix();
            double[][] b = acts.get("embB").toDoubleMatrix();
            double scale = Math.exp(g.getVertex(ContrastiveHeads.LOGITS).params().getDouble(0));
            double[][] z = ContrastiveLogitsVertexTest.bruteForceLogits(a, b, scale);
            double expected = weight
                    * (maskedCe(z, present, smoothing, false) + maskedCe(z, present, smoothing, true)) / 2;
            assertEquals(expected, score(g, x, labels(6, smoothing)), 1e-10, "smoothing " + smoothing);
            double[][] out = acts.get(ContrastiveHeads.LOSS_A_TO_B).toDoubleMatrix();
            assertEquals(Double.NEGATIVE_INFINITY, out[1][0]);
            assertEquals(Double.NEGATIVE_INFINITY, out[0][4]);
            assertEquals(z[0][2], out[0][2], 1e-9); // the norm eps (1e-6) shows at 1e-11
        }
    }

    /** Mean over present rows of the CE against present columns, smoothed labels renormalised over those. */
    private static double maskedCe(double[][] z, boolean[] present, double smoothing, boolean transposed) {
        int b = z.length;
        int n = 0;
        double total = 0;
        for (int i = 0; i < b; i++) {
            if (!present[i]) {
                continue;
            }
            n++;
            double max = Double.NEGATIVE_INFINITY;
            double mass = 0;
            for (int j = 0; j < b; j++) {
                if (present[j]) {
                    max = Math.max(max, transposed ? z[j][i] : z[i][j]);
                    mass += (i == j ? 1 - smoothing : 0) + smoothing / b;
                }
            }
            double sum = 0;
            for (int j = 0; j < b; j++) {
                if (present[j]) {
                    sum += Math.exp((transposed ? z[j][i] : z[i][j]) - max);
                }
            }
            for (int j = 0; j < b; j++) {
                if (present[j]) {
                    double y = ((i == j ? 1 - smoothing : 0) + smoothing / b) / mass;
                    total -= y * ((transposed ? z[j][i] : z[i][j]) - max - Math.log(sum));
                }
            }
        }
        return n == 0 ? 0 : total / n;
    }

    @Test
    void fewerThanTwoPresentPairsGiveZeroLossAndZeroGradient() {
        ComputationGraph g = twoTower(true, 1.0);
        for (INDArray pB : new INDArray[] {column(0, 0, 1, 0), column(0, 0, 0, 0)}) {
            INDArray[] x = features(4, 5, column(1, 1, 1, 0), pB);
            g.setInputs(x);
            g.setLabels(labels(4, 0));
            g.computeGradientAndScore();
            assertEquals(0.0, g.score(), 0.0, "present B: " + pB);
            INDArray grad = g.gradient().gradient();
            assertEquals(0.0, grad.amaxNumber().doubleValue(), 0.0, "gradient with present B " + pB);
        }
    }

    @Test
    void lossFunctionRefusesMasksNonIdentityActivationsAndBadPresence() {
        LossMaskedInfoNce loss = new LossMaskedInfoNce(1.0);
        INDArray z = Nd4j.rand(DataType.DOUBLE, 3, 3);
        INDArray eye = Nd4j.eye(3).castTo(DataType.DOUBLE);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> loss.computeScore(eye, z, new ActivationIdentity(), Nd4j.ones(DataType.DOUBLE, 3, 1), false));
        assertTrue(e.getMessage().contains("no label mask"), e.getMessage());
        assertThrows(IllegalStateException.class,
                () -> loss.computeScore(eye, z, Activation.SOFTMAX.getActivationFunction(), null, false));
        assertThrows(IllegalArgumentException.class, () -> new LossMaskedInfoNce(0));

        ComputationGraph g = twoTower(true, 1.0);
        INDArray[] x = features(3, 6, column(1, 0.5, 1), column(1, 1, 1));
        Exception bad = assertThrows(Exception.class, () -> g.output(x));
        Throwable t = bad;
        while (t.getCause() != null && (t.getMessage() == null || !t.getMessage().contains("1 (present) or 0"))) {
            t = t.getCause();
        }
        assertTrue(t.getMessage().contains("1 (present) or 0"), bad.toString());
    }

    @Test
    void jsonRoundTrip() {
        BlockTestSupport.assertJsonRoundTrip(twoTower(true, 0.25).getConfiguration());
    }
}
