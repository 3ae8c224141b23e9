package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.RnnOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@ExtendWith(BlockTestSupport.DoublePrecision.class)
class LearnedPositionsTest {

    /** Positions for up to 7 steps, fed sequences of 4 (the input type's length is unknown). */
    private static ComputationGraph graph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder().addInputs("seq").setInputTypes(InputType.recurrent(3))
                .addLayer("pos", new LearnedPositions.Builder().maxLength(7).initStd(0.5).build(), "seq")
                .addLayer("pool", new SequencePooling(SequencePooling.Mode.MEAN_MASKED), "pos")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.TANH).build(), "pool")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void addsTheFirstTPositions() {
        ComputationGraph g = graph();
        INDArray pos = g.getLayer("pos").getParam(LearnedPositions.POSITIONS);
        assertEquals(3, pos.size(0));
        assertEquals(7, pos.size(1));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 3, 4);
        INDArray out = g.getLayer("pos").activate(x, false, LayerWorkspaceMgr.noWorkspaces());
        for (int b = 0; b < 2; b++) {
            assertEquals(x.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all())
                    .add(pos.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4))),
                    out.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.all()));
        }
        INDArray tooLong = Nd4j.rand(DataType.DOUBLE, 2, 3, 8);
        assertThrows(IllegalStateException.class,
                () -> g.getLayer("pos").activate(tooLong, false, LayerWorkspaceMgr.noWorkspaces()));
    }

    @Test
    void gradientsForShorterSequencesWithMask() {
        ComputationGraph g = graph();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 3, 4);
        INDArray mask = BlockTestSupport.lengthsMask(DataType.DOUBLE, 4, 4, 2, 3);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 2);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {x}, new INDArray[] {mask}, new INDArray[] {y});
    }

    @Test
    void gradientsWithPerPositionLossAndMask() {
        // RnnOutputLayer hands back an epsilon in its own (not token-major) layout: the copy paths get checked.
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(6)
                .dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder().addInputs("seq")
                .setInputTypes(InputType.recurrent(3, 5))
                .addLayer("pos", new LearnedPositions.Builder().initStd(0.5).build(), "seq")
                .addLayer("out", new RnnOutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.TANH).build(), "pos")
                .setOutputs("out").build());
        g.init();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 3, 5);
        INDArray mask = BlockTestSupport.lengthsMask(DataType.DOUBLE, 5, 5, 2, 4);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 2, 5);
        boolean ok = org.deeplearning4j.gradientcheck.GradientCheckUtil.checkGradients(
                new org.deeplearning4j.gradientcheck.GradientCheckUtil.GraphConfig().net(g)
                        .inputs(new INDArray[] {x}).inputMask(new INDArray[] {mask}).labels(new INDArray[] {y})
                        .labelMask(new INDArray[] {mask}).epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                        .print(org.deeplearning4j.gradientcheck.GradientCheckUtil.PrintMode.FAILURES_ONLY));
        org.junit.jupiter.api.Assertions.assertTrue(ok);
    }

    @Test
    void jsonAndSerializerRoundTrips() throws Exception {
        ComputationGraph g = graph();
        BlockTestSupport.assertJsonRoundTrip(g.getConfiguration());
        BlockTestSupport.assertSerializerRoundTrip(g,
                new INDArray[] {Nd4j.rand(DataType.DOUBLE, 2, 3, 7)}, null);
        LearnedPositions conf = (LearnedPositions) g.getLayer("pos").conf().getLayer();
        assertEquals(conf, conf.clone());
    }

    @Test
    void unknownLengthWithoutMaxLengthIsAConfigError() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("seq")
                .setInputTypes(InputType.recurrent(3))
                .addLayer("pos", new LearnedPositions.Builder().build(), "seq")
                .addLayer("pool", new SequencePooling(SequencePooling.Mode.FIRST), "pos")
                .addLayer("out", new OutputLayer.Builder().nOut(2).build(), "pool").setOutputs("out").build();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new ComputationGraph(conf).init());
        assertEquals(true, e.getMessage().contains("maxLength"), e.getMessage());
    }
}
