package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every embedding block in one float32 graph, trained with DL4J workspaces on and off. */
class EmbeddingBlocksTrainingTest {

    private static final int VOCAB = 11, LEN = 6, FRAMES = 3, CIN = 3, SIDE = 8, WIDTH = 8;

    private static ComputationGraph graph(WorkspaceMode mode) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(99).dataType(DataType.FLOAT)
                .updater(new Adam(1e-2)).trainingWorkspaceMode(mode).inferenceWorkspaceMode(mode)
                .graphBuilder().addInputs("ids", "video")
                .setInputTypes(InputType.recurrent(1, LEN), InputType.convolutional(SIDE, SIDE, FRAMES * CIN))
                .addLayer("tok", new TokenEmbedding.Builder().vocabSize(VOCAB).nOut(WIDTH).build(), "ids")
                .addLayer("eot", new SequencePooling(SequencePooling.Mode.LAST_VALID), "tok")
                .addVertex("fold", new FoldTimeIntoBatchVertex(FRAMES), "video")
                .addLayer("patch", new PatchEmbedding.Builder().patchSize(4).nOut(WIDTH).build(), "fold")
                .addLayer("cls", new SequencePooling(SequencePooling.Mode.FIRST), "patch")
                .addVertex("unfold", new UnfoldTimeFromBatchVertex(FRAMES), "cls")
                .addLayer("time", new LearnedPositions.Builder().build(), "unfold")
                .addLayer("vpool", new SequencePooling(SequencePooling.Mode.MEAN_MASKED), "time")
                .addVertex("merge", new MergeVertex(), "eot", "vpool")
                .addLayer("hidden", new DenseLayer.Builder().nOut(8).activation(Activation.TANH).build(), "merge")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                        .activation(Activation.SOFTMAX).build(), "hidden")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static MultiDataSet batch(int b, long seed) {
        Nd4j.getRandom().setSeed(seed);
        INDArray ids = Nd4j.rand(DataType.FLOAT, b, 1, LEN).muli(VOCAB).castTo(DataType.INT).castTo(DataType.FLOAT);
        int[] lengths = new int[b];
        for (int i = 0; i < b; i++) {
            lengths[i] = 1 + (int) ((seed + 3L * i) % LEN);
        }
        INDArray mask = BlockTestSupport.lengthsMask(DataType.FLOAT, LEN, lengths);
        INDArray video = Nd4j.rand(DataType.FLOAT, b, FRAMES * CIN, SIDE, SIDE);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, b, 3);
        for (int i = 0; i < b; i++) {
            labels.putScalar(i, (int) ((seed + i) % 3), 1.0);
        }
        return new MultiDataSet(new INDArray[] {ids, video}, new INDArray[] {labels}, new INDArray[] {mask, null},
                null);
    }

    @Test
    void trainsTheSameWithWorkspacesOnAndOff() throws Exception {
        ComputationGraph on = graph(WorkspaceMode.ENABLED);
        ComputationGraph off = graph(WorkspaceMode.NONE);
        assertEquals(on.params(), off.params());
        INDArray initial = on.params().dup();
        List<MultiDataSet> data = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            data.add(batch(step == 3 ? 3 : 5, step)); // a smaller last minibatch too
        }
        for (MultiDataSet ds : data) {
            on.fit(ds);
            off.fit(ds);
            assertTrue(Double.isFinite(on.score()), "score " + on.score());
            assertEquals(off.score(), on.score(), 1e-5);
        }
        assertNotEquals(initial, on.params(), "training changed nothing");
        INDArray diff = on.params().sub(off.params());
        assertTrue(diff.amaxNumber().doubleValue() < 1e-5, "params differ by " + diff.amaxNumber());

        // Inference with workspaces (rotating activation workspaces) agrees too, and survives a save/restore.
        MultiDataSet probe = batch(4, 42);
        INDArray a = on.output(false, probe.getFeatures(), probe.getFeaturesMaskArrays())[0];
        INDArray b = off.output(false, probe.getFeatures(), probe.getFeaturesMaskArrays())[0];
        assertTrue(a.sub(b).amaxNumber().doubleValue() < 1e-5);
        BlockTestSupport.assertSerializerRoundTrip(on, probe.getFeatures(),
                probe.getFeaturesMaskArrays());
        BlockTestSupport.assertJsonRoundTrip(on.getConfiguration());
        assertTrue(on.summary().contains("patch"));
        assertTrue(on.getConfiguration().getMemoryReport(InputType.recurrent(1, LEN),
                InputType.convolutional(SIDE, SIDE, FRAMES * CIN)).getTotalMemoryBytes(5,
                org.deeplearning4j.nn.conf.memory.MemoryUseMode.TRAINING, org.deeplearning4j.nn.conf.CacheMode.NONE,
                DataType.FLOAT) > 0);
    }
}
