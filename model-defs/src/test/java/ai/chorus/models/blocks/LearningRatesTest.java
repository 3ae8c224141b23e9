package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A learning rate taken down to 0 must stop every parameter, the CLIP logit scale of {@link ContrastiveLogitsVertex}
 * included: with an ISchedule given at build time, and with {@link LearningRates#set} on a built graph (DL4J's own
 * {@code setLearningRate} leaves vertex and bias updaters at the old rate).
 */
class LearningRatesTest {
    private static final int N = 16;

    /** Two dense towers and the symmetric InfoNCE head; {@code biasUpdater} may be null (biases use the updater). */
    private static ComputationGraph twoTower(IUpdater updater, IUpdater biasUpdater) {
        NeuralNetConfiguration.Builder b = new NeuralNetConfiguration.Builder()
                .seed(3).dataType(DataType.FLOAT).updater(updater).weightInit(WeightInit.XAVIER);
        if (biasUpdater != null) {
            b.biasUpdater(biasUpdater);
        }
        ComputationGraphConfiguration.GraphBuilder gb = b.graphBuilder()
                .addInputs("inA", "inB")
                .setInputTypes(InputType.feedForward(6), InputType.feedForward(5))
                .addLayer("embA", new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build(), "inA")
                .addLayer("embB", new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build(), "inB");
        ContrastiveHeads.Names names = ContrastiveHeads.addSymmetricInfoNce(gb, "embA", "embB", "");
        ComputationGraph net = new ComputationGraph(gb.setOutputs(names.outputs()).build());
        net.init();
        return net;
    }

    private static MultiDataSet batch() {
        Nd4j.getRandom().setSeed(11);
        INDArray labels = ContrastiveHeads.identityLabels(N, 0, DataType.FLOAT);
        return new MultiDataSet(new INDArray[] {Nd4j.randn(DataType.FLOAT, N, 6), Nd4j.randn(DataType.FLOAT, N, 5)},
                new INDArray[] {labels, labels.dup()});
    }

    private static double logitScale(ComputationGraph net) {
        return net.getVertex(ContrastiveHeads.LOGITS).params().getDouble(0);
    }

    private record Moves(double logitScale, double any) {
    }

    /** How far the logit scale, and any parameter at all, move over {@code steps} more steps. */
    private static Moves movesOver(ComputationGraph net, int steps) {
        MultiDataSet data = batch();
        INDArray before = net.params().dup();
        double scale = logitScale(net);
        for (int i = 0; i < steps; i++) {
            net.fit(data);
        }
        return new Moves(Math.abs(logitScale(net) - scale), net.params().sub(before).amaxNumber().doubleValue());
    }

    // ND4J's Adam moves a parameter by up to ~1e-7 per step even at a learning rate of exactly 0: "stopped" means
    // below 1e-6 over the steps here, against ~1e-2 per step at 0.05.
    private static final double STOPPED = 1e-6;

    @Test
    void aScheduleGivenAtBuildTimeReachesTheLogitScale() {
        ComputationGraph net = twoTower(new Adam(new MapSchedule(ScheduleType.ITERATION, Map.of(0, 0.05, 4, 0.0))), null);
        Moves training = movesOver(net, 4);
        assertTrue(training.logitScale() > 1e-3, "the scale trains at 0.05: moved " + training.logitScale());
        Moves stopped = movesOver(net, 4);
        assertTrue(stopped.any() < STOPPED, "after the schedule reached 0 a parameter moved " + stopped.any());
    }

    @Test
    void dl4jSetLearningRateLeavesTheVertexUpdaterAtTheOldRate() {
        // What LearningRates exists for. If DL4J ever reaches vertices itself, this fails: LearningRates can go.
        ComputationGraph net = twoTower(new Adam(0.05), null);
        movesOver(net, 2);
        net.setLearningRate(0.0);
        Moves after = movesOver(net, 4);
        assertTrue(after.logitScale() > 1e-3, "DL4J's setLearningRate(0) stopped the logit scale (moved "
                + after.logitScale() + "): LearningRates.set is no longer needed");
    }

    @Test
    void learningRatesSetStopsLayersBiasesAndVertices() {
        for (IUpdater biasUpdater : new IUpdater[] {null, new Adam(0.05)}) {
            ComputationGraph net = twoTower(new Adam(0.05), biasUpdater);
            movesOver(net, 2);
            LearningRates.set(net, 0.0);
            Moves after = movesOver(net, 4);
            assertTrue(after.any() < STOPPED, "with bias updater " + biasUpdater + " a parameter moved " + after.any()
                    + " (logit scale " + after.logitScale() + ")");
        }
    }

    @Test
    void learningRatesSetKeepsTheOptimizerState() {
        // Same rate set mid-run: the rebuilt updater blocks must carry Adam's moments over, step for step.
        ComputationGraph plain = twoTower(new Adam(0.05), null);
        ComputationGraph reset = twoTower(new Adam(0.05), null);
        movesOver(plain, 3);
        movesOver(reset, 3);
        LearningRates.set(reset, 0.05);
        movesOver(plain, 3);
        movesOver(reset, 3);
        assertEquals(0.0, plain.params().sub(reset.params()).amaxNumber().doubleValue(), 0.0);

        LearningRates.set(reset, new MapSchedule(ScheduleType.ITERATION, Map.of(0, 0.0)));
        assertTrue(movesOver(reset, 3).any() < STOPPED, "a schedule set on the built graph reaches every updater");
    }
}
