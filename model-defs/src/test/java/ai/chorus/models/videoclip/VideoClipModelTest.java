package ai.chorus.models.videoclip;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelRegistry;
import ai.chorus.models.blocks.BlockTestSupport;
import ai.chorus.models.blocks.ContrastiveHeads;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** VideoCLIP as built from conf/models/videoclip.conf at size tiny: frame order, gradients, masks, serialisation. */
@ExtendWith(BlockTestSupport.DoublePrecision.class)
class VideoClipModelTest {
    private static final int FRAMES = 4;
    private static final int SIZE = 16;
    private static final int VOCAB = 40;
    private static final int LENGTH = 8;
    private static final InputShapes SHAPES = new InputShapes(0, 0, VOCAB, LENGTH, 0, 0, FRAMES, SIZE, 0);

    static Config videoClipConf(String size, boolean temporalPositions) {
        Path file = Path.of(System.getProperty("chorus.repo", "..")).resolve("conf/models/videoclip.conf");
        return ConfigFactory.parseMap(Map.of("chorus.model.size", size,
                        "chorus.model.video.temporal-positions", temporalPositions))
                .withFallback(ConfigFactory.parseFile(file.toFile())).resolve();
    }

    private static ComputationGraph tiny(DataType dt, boolean temporalPositions) {
        ModelBuilder.BuiltModel built = ModelRegistry.build(videoClipConf("tiny", temporalPositions), SHAPES,
                new ModelBuilder.Training(dt == DataType.DOUBLE ? new NoOp() : new Adam(1e-3), dt));
        ComputationGraph graph = new ComputationGraph(built.configuration());
        graph.init();
        return graph;
    }

    /** Clips in [0, 1], token ids with ragged lengths (pad id 0 after the end), and the [B, T] mask. */
    private static INDArray[] batch(int b, DataType dt, long seed) {
        Random r = new Random(seed);
        Nd4j.getRandom().setSeed(seed);
        INDArray video = Nd4j.rand(dt, b, FRAMES * 3, SIZE, SIZE);
        INDArray ids = Nd4j.zeros(dt, b, 1, LENGTH);
        INDArray mask = Nd4j.zeros(dt, b, LENGTH);
        for (int i = 0; i < b; i++) {
            int len = 3 + r.nextInt(LENGTH - 2);
            for (int t = 0; t < len; t++) {
                ids.putScalar(new long[] {i, 0, t}, t == 0 ? 1 : t == len - 1 ? 2 : 3 + r.nextInt(VOCAB - 3));
                mask.putScalar(new long[] {i, t}, 1);
            }
        }
        return new INDArray[] {video, ids, mask};
    }

    /** The same clips played backwards: frame t of the result is frame T-1-t of {@code video}. */
    private static INDArray reversed(INDArray video) {
        INDArray out = video.like();
        for (int t = 0; t < FRAMES; t++) {
            out.get(NDArrayIndex.all(), NDArrayIndex.interval((FRAMES - 1 - t) * 3, (FRAMES - t) * 3))
                    .assign(video.get(NDArrayIndex.all(), NDArrayIndex.interval(t * 3, (t + 1) * 3)));
        }
        return out;
    }

    private static INDArray embedding(ComputationGraph graph, String which, INDArray[] x) {
        graph.setLayerMaskArrays(new INDArray[] {null, x[2]}, null);
        Map<String, INDArray> acts = graph.feedForward(new INDArray[] {x[0], x[1]}, false, false);
        graph.clearLayerMaskArrays();
        return acts.get(which).dup();
    }

    @Test
    void withTemporalPositionsAReversedClipGetsAnotherEmbeddingWithoutThemTheSame() {
        INDArray[] x = batch(3, DataType.DOUBLE, 5);
        INDArray[] back = {reversed(x[0]), x[1], x[2]};
        // Frames differ from each other, so a reversal is a real change of the input.
        assertTrue(x[0].sub(back[0]).amaxNumber().doubleValue() > 0.1);

        ComputationGraph sighted = tiny(DataType.DOUBLE, true);
        INDArray a = embedding(sighted, "videoEmbedding", x);
        INDArray b = embedding(sighted, "videoEmbedding", back);
        for (int i = 0; i < 3; i++) {
            double scale = a.getRow(i).norm2Number().doubleValue();
            double change = a.getRow(i).sub(b.getRow(i)).norm2Number().doubleValue();
            // Untrained positions (std 0.02) already move the embedding far beyond rounding (~1e-16 here).
            assertTrue(change > 1e-4 * scale, "clip " + i + ": reversal changed the embedding only by " + change
                    + " (norm " + scale + ")");
        }

        ComputationGraph blind = tiny(DataType.DOUBLE, false);
        assertTrue(blind.params().length() < sighted.params().length(), "the ablation must drop the positions");
        INDArray c = embedding(blind, "videoEmbedding", x);
        INDArray d = embedding(blind, "videoEmbedding", back);
        double blindChange = c.sub(d).amaxNumber().doubleValue();
        assertTrue(blindChange < 1e-12 * c.amaxNumber().doubleValue(),
                "without temporal positions the tower must be order-blind, but reversal changed it by " + blindChange);
    }

    @Test
    void eachClipsEmbeddingDependsOnItsOwnFramesOnly() {
        // Catches a fold/unfold that mixes frames of different clips.
        ComputationGraph graph = tiny(DataType.DOUBLE, true);
        INDArray[] x = batch(3, DataType.DOUBLE, 9);
        INDArray a = embedding(graph, "videoEmbedding", x);
        INDArray video = x[0].dup();
        video.get(NDArrayIndex.point(1)).assign(Nd4j.rand(DataType.DOUBLE, FRAMES * 3, SIZE, SIZE));
        INDArray b = embedding(graph, "videoEmbedding", new INDArray[] {video, x[1], x[2]});
        assertTrue(a.getRow(0).equalsWithEps(b.getRow(0), 1e-12) && a.getRow(2).equalsWithEps(b.getRow(2), 1e-12),
                "changing clip 1 changed another clip's embedding");
        assertTrue(a.getRow(1).sub(b.getRow(1)).amaxNumber().doubleValue() > 1e-6, "clip 1's embedding ignored it");
    }

    @Test
    void tinyVideoClipPassesANumericalGradientCheck() {
        ComputationGraph graph = tiny(DataType.DOUBLE, true);
        int b = 3;
        INDArray[] x = batch(b, DataType.DOUBLE, 7);
        INDArray labels = ContrastiveHeads.identityLabels(b, 0, DataType.DOUBLE);
        // Every parameter array (the temporal positions included), a spread subset of each: blocks have full checks.
        BlockTestSupport.assertGradientsOk(graph, new INDArray[] {x[0], x[1]}, new INDArray[] {null, x[2]},
                new INDArray[] {labels, labels.dup()}, null, 6);
    }

    @Test
    void paddingContentDoesNotChangeTheTextEmbedding() {
        ComputationGraph graph = tiny(DataType.DOUBLE, true);
        INDArray[] x = batch(3, DataType.DOUBLE, 11);
        INDArray a = embedding(graph, "textEmbedding", x);
        // Garbage in the padded positions.
        INDArray ids = x[1].dup();
        for (int i = 0; i < 3; i++) {
            for (int t = 0; t < LENGTH; t++) {
                if (x[2].getDouble(i, t) == 0) {
                    ids.putScalar(new long[] {i, 0, t}, 3 + (i * 31 + t * 17) % (VOCAB - 3));
                }
            }
        }
        assertTrue(ids.sub(x[1]).amaxNumber().doubleValue() > 0, "the batch must have padding to fill");
        INDArray b = embedding(graph, "textEmbedding", new INDArray[] {x[0], ids, x[2]});
        assertTrue(a.equalsWithEps(b, 1e-10), "padding content changed the text embedding");
    }

    @Test
    void configurationSurvivesJsonAndTheModelSurvivesModelSerializerBitForBit() throws Exception {
        BlockTestSupport.restoreFloat(); // this one is about the float32 model a trainer saves
        ComputationGraph graph = tiny(DataType.FLOAT, true);
        INDArray[] x = batch(5, DataType.FLOAT, 3);
        INDArray labels = ContrastiveHeads.identityLabels(5, 0, DataType.FLOAT);
        BlockTestSupport.assertRoundTripsAfterOneStep(graph, new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[] {x[0], x[1]}, new INDArray[] {labels, labels.dup()}, new INDArray[] {null, x[2]}, null));
    }

    @Test
    void theRegistryKnowsVideoClipAndItsInputsAndEmbeddings() {
        assertTrue(ModelRegistry.builders().containsKey("videoclip"));
        ModelBuilder.BuiltModel built = ModelRegistry.build(videoClipConf("small", true),
                new InputShapes(0, 0, 8192, 32, 0, 0, 8, 64, 0), ModelBuilder.Training.defaults());
        assertEquals(List.of("video", "text"), built.io().inputs());
        assertEquals(Map.of("video", "videoEmbedding", "text", "textEmbedding"), built.io().embeddings());
        assertTrue(built.configuration().getVertices().containsKey("videoPositions"));
    }

    @Test
    void dataWithoutVideoIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelRegistry.build(
                videoClipConf("tiny", true), InputShapes.imageText(SIZE, VOCAB, LENGTH),
                ModelBuilder.Training.defaults()));
        assertTrue(e.getMessage().contains("video"), e.getMessage());
    }
}
