package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

@ExtendWith(BlockTestSupport.DoublePrecision.class)
class TimeFoldVerticesTest {

    private static final int B = 2, T = 3, CIN = 2, H = 2, W = 3;

    /** fold → Dense (per frame) → unfold [→ LearnedPositions] → pooling → output. */
    private static ComputationGraph denseVideoGraph(boolean temporalPositions, SequencePooling.Mode pooling) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().seed(11)
                .dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder().addInputs("video")
                .setInputTypes(InputType.convolutional(H, W, T * CIN))
                .addVertex("fold", new FoldTimeIntoBatchVertex(T), "video")
                .addLayer("frame", new DenseLayer.Builder().nOut(3).activation(Activation.TANH).build(), "fold")
                .addVertex("unfold", new UnfoldTimeFromBatchVertex(T), "frame");
        String last = "unfold";
        if (temporalPositions) {
            gb.addLayer("time", new LearnedPositions.Builder().initStd(0.5).build(), "unfold");
            last = "time";
        }
        ComputationGraph g = new ComputationGraph(gb.addLayer("pool", new SequencePooling(pooling), last)
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.TANH).build(), "pool")
                .setOutputs("out").build());
        g.init();
        return g;
    }

    @Test
    void foldIsFrameMajorAndUnfoldUndoesIt() {
        ComputationGraph g = denseVideoGraph(false, SequencePooling.Mode.MEAN_MASKED);
        INDArray video = Nd4j.rand(DataType.DOUBLE, B, T * CIN, H, W);
        java.util.Map<String, INDArray> acts = g.feedForward(new INDArray[] {video}, false);
        INDArray folded = acts.get("fold");
        assertEquals(4, folded.rank());
        assertEquals(B * T, folded.size(0));
        assertEquals(CIN, folded.size(1));
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int c = 0; c < CIN; c++) {
                    assertEquals(video.get(NDArrayIndex.point(b), NDArrayIndex.point(t * CIN + c)),
                            folded.get(NDArrayIndex.point(b * T + t), NDArrayIndex.point(c)));
                }
            }
        }
        INDArray frames = acts.get("frame");
        INDArray unfolded = acts.get("unfold");
        assertEquals(3, unfolded.rank());
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                assertEquals(frames.getRow(b * T + t),
                        unfolded.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.point(t)));
            }
        }
    }

    @Test
    void gradientsThroughFoldDenseUnfold() {
        ComputationGraph g = denseVideoGraph(true, SequencePooling.Mode.LAST_VALID);
        INDArray video = Nd4j.rand(DataType.DOUBLE, B, T * CIN, H, W);
        INDArray y = Nd4j.rand(DataType.DOUBLE, B, 2);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {video}, null, new INDArray[] {y});
    }

    @Test
    void gradientsThroughASharedPatchEncoder() {
        // The video stack: fold → PatchEmbedding → class token → unfold → temporal positions → mean → output.
        ComputationGraph g = new ComputationGraph(new NeuralNetConfiguration.Builder().seed(12)
                .dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder().addInputs("video")
                .setInputTypes(InputType.convolutional(4, 4, T * CIN))
                .addVertex("fold", new FoldTimeIntoBatchVertex(T), "video")
                .addLayer("patch", new PatchEmbedding.Builder().patchSize(2).nOut(3).initStd(0.5).build(), "fold")
                .addLayer("cls", new SequencePooling(SequencePooling.Mode.MEAN_MASKED), "patch")
                .addVertex("unfold", new UnfoldTimeFromBatchVertex(T), "cls")
                .addLayer("time", new LearnedPositions.Builder().initStd(0.5).build(), "unfold")
                .addLayer("pool", new SequencePooling(SequencePooling.Mode.MEAN_MASKED), "time")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.TANH).build(), "pool")
                .setOutputs("out").build());
        g.init();
        INDArray video = Nd4j.rand(DataType.DOUBLE, B, T * CIN, 4, 4);
        INDArray y = Nd4j.rand(DataType.DOUBLE, B, 2);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {video}, null, new INDArray[] {y});
    }

    @Test
    void temporalPositionsMakeFrameOrderVisible() {
        INDArray video = Nd4j.rand(DataType.DOUBLE, 1, T * CIN, H, W);
        INDArray reversed = Nd4j.create(DataType.DOUBLE, 1, T * CIN, H, W);
        for (int t = 0; t < T; t++) {
            reversed.get(NDArrayIndex.all(), NDArrayIndex.interval((T - 1 - t) * CIN, (T - t) * CIN))
                    .assign(video.get(NDArrayIndex.all(), NDArrayIndex.interval(t * CIN, (t + 1) * CIN)));
        }
        // Without positions, mean pooling over frames cannot tell the order; with them (and a non-linear readout
        // below the pooling) it can.
        ComputationGraph blind = denseVideoGraph(false, SequencePooling.Mode.MEAN_MASKED);
        assertEquals(blind.outputSingle(video).getDouble(0), blind.outputSingle(reversed).getDouble(0), 1e-12);
        ComputationGraph sighted = denseVideoGraph(true, SequencePooling.Mode.LAST_VALID);
        assertNotEquals(sighted.outputSingle(video).getDouble(0), sighted.outputSingle(reversed).getDouble(0));
    }

    @Test
    void channelsMustBeFramesTimesChannels() {
        assertThrows(InvalidInputTypeException.class,
                () -> new FoldTimeIntoBatchVertex(4).getOutputType(0, InputType.convolutional(8, 8, 6)));
        assertThrows(IllegalArgumentException.class, () -> new UnfoldTimeFromBatchVertex(0));
    }

    @Test
    void jsonAndSerializerRoundTrips() throws Exception {
        ComputationGraph g = denseVideoGraph(true, SequencePooling.Mode.MEAN_MASKED);
        BlockTestSupport.assertJsonRoundTrip(g.getConfiguration());
        BlockTestSupport.assertSerializerRoundTrip(g,
                new INDArray[] {Nd4j.rand(DataType.DOUBLE, B, T * CIN, H, W)}, null);
        assertEquals(new FoldTimeIntoBatchVertex(T), new FoldTimeIntoBatchVertex(T).clone());
        assertEquals(new UnfoldTimeFromBatchVertex(T), new UnfoldTimeFromBatchVertex(T).clone());
    }
}
