package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.dataset.api.MultiDataSetPreProcessor;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A tiny two-tower model must learn to pair 32 random vectors, with DL4J workspaces on and off. */
class ContrastiveTrainingTest {

    private static final int N = 32;
    private static final int DIN_A = 8;
    private static final int DIN_B = 10;

    private static ComputationGraph twoTower(WorkspaceMode mode) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder()
                .seed(42).dataType(DataType.FLOAT).updater(new Adam(3e-2)).weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode)
                .graphBuilder()
                .addInputs("inA", "inB")
                .setInputTypes(InputType.feedForward(DIN_A), InputType.feedForward(DIN_B))
                .addLayer("hA", new DenseLayer.Builder().nOut(32).activation(Activation.TANH).build(), "inA")
                .addLayer("embA", new DenseLayer.Builder().nOut(16).activation(Activation.IDENTITY).build(), "hA")
                .addLayer("hB", new DenseLayer.Builder().nOut(32).activation(Activation.TANH).build(), "inB")
                .addLayer("embB", new DenseLayer.Builder().nOut(16).activation(Activation.IDENTITY).build(), "hB");
        ContrastiveHeads.Names names = ContrastiveHeads.addSymmetricInfoNce(gb, "embA", "embB", "");
        ComputationGraph net = new ComputationGraph(gb.setOutputs(names.outputs()).build());
        net.init();
        return net;
    }

    /** Fraction of rows whose softmax peaks at its own pair. */
    private static double recallAt1(INDArray probs) {
        INDArray argmax = probs.argMax(1);
        int hits = 0;
        for (int i = 0; i < probs.size(0); i++) {
            if (argmax.getLong(i) == i) {
                hits++;
            }
        }
        return hits / (double) probs.size(0);
    }

    private static INDArray rows(INDArray x, int from, int to) {
        return x.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()).dup();
    }

    private static ComputationGraph train(WorkspaceMode mode, INDArray xa, INDArray xb) {
        ComputationGraph net = twoTower(mode);
        MultiDataSetPreProcessor labels = ContrastiveHeads.identityLabelsPreProcessor(0.0, 0, 1);
        double first = Double.NaN;
        for (int step = 0; step < 60; step++) {
            MultiDataSet mds = new MultiDataSet(new INDArray[] {xa, xb}, null);
            labels.preProcess(mds);
            net.fit(mds);
            if (step == 0) {
                first = net.score();
            }
        }
        // Minibatches 12, 12, 8: B changes between steps (a smaller last minibatch).
        for (int epoch = 0; epoch < 2; epoch++) {
            for (int from = 0; from < N; from += 12) {
                int to = Math.min(N, from + 12);
                MultiDataSet mds = new MultiDataSet(new INDArray[] {rows(xa, from, to), rows(xb, from, to)}, null);
                labels.preProcess(mds);
                net.fit(mds);
            }
        }
        assertTrue(net.score() < first / 4, "loss went from " + first + " to " + net.score());
        return net;
    }

    @Test
    void learnsToAlignRandomPairsWithWorkspacesEnabledAndNone() {
        Nd4j.getRandom().setSeed(7);
        INDArray xa = Nd4j.randn(DataType.FLOAT, N, DIN_A);
        INDArray xb = Nd4j.randn(DataType.FLOAT, N, DIN_B);

        ComputationGraph enabled = train(WorkspaceMode.ENABLED, xa, xb);
        ComputationGraph none = train(WorkspaceMode.NONE, xa, xb);

        for (ComputationGraph net : new ComputationGraph[] {enabled, none}) {
            INDArray[] out = net.output(xa, xb);
            assertEquals(1.0, recallAt1(out[0]), 0.0, "A->B recall@1");
            assertEquals(1.0, recallAt1(out[1]), 0.0, "B->A recall@1");
            double scale = net.getVertex(ContrastiveHeads.LOGITS).params().getDouble(0);
            assertTrue(scale != Math.log(1 / 0.07), "the logit scale trained");
        }
        // Same seed, same data, same steps: workspaces change where arrays live, not the arithmetic.
        double maxDiff = enabled.params().sub(none.params()).amax().getDouble(0);
        System.out.println("contrastive ENABLED vs NONE max |param diff| = " + maxDiff);
        assertTrue(maxDiff < 1e-4, "ENABLED vs NONE parameters differ by " + maxDiff);
    }
}
