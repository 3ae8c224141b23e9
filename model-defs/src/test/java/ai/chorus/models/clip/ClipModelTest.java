package ai.chorus.models.clip;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelRegistry;
import ai.chorus.models.blocks.BlockTestSupport;
import ai.chorus.models.blocks.ContrastiveHeads;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;

import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CLIP as built from conf/models/clip.conf at size tiny: gradients, masks, serialisation, registry. */
class ClipModelTest {
    private static final int IMAGE = 16;
    private static final int VOCAB = 40;
    private static final int LENGTH = 8;
    private static final InputShapes SHAPES = InputShapes.imageText(IMAGE, VOCAB, LENGTH);

    static Config clipConf(String size) {
        Path file = Path.of(System.getProperty("chorus.repo", "..")).resolve("conf/models/clip.conf");
        return ConfigFactory.parseMap(Map.of("chorus.model.size", size))
                .withFallback(ConfigFactory.parseFile(file.toFile())).resolve();
    }

    private static ComputationGraph tiny(DataType dt) {
        ModelBuilder.BuiltModel built = ModelRegistry.build(clipConf("tiny"), SHAPES,
                new ModelBuilder.Training(dt == DataType.DOUBLE ? new NoOp() : new org.nd4j.linalg.learning.config.Adam(1e-3), dt));
        ComputationGraph graph = new ComputationGraph(built.configuration());
        graph.init();
        return graph;
    }

    /** Images in [0, 1], token ids with ragged lengths (pad id 0 after the end), and the [B, T] mask. */
    private static INDArray[] batch(int b, DataType dt, long seed) {
        return batch(b, dt, seed, LENGTH);
    }

    /** As {@link #batch(int, DataType, long)} with real lengths of at most {@code maxLength} tokens. */
    private static INDArray[] batch(int b, DataType dt, long seed, int maxLength) {
        Random r = new Random(seed);
        INDArray images = Nd4j.rand(dt, b, 3, IMAGE, IMAGE);
        INDArray ids = Nd4j.zeros(dt, b, 1, LENGTH);
        INDArray mask = Nd4j.zeros(dt, b, LENGTH);
        for (int i = 0; i < b; i++) {
            int len = 3 + r.nextInt(maxLength - 2);
            for (int t = 0; t < len; t++) {
                ids.putScalar(new long[] {i, 0, t}, t == 0 ? 1 : t == len - 1 ? 2 : 3 + r.nextInt(VOCAB - 3));
                mask.putScalar(new long[] {i, t}, 1);
            }
        }
        return new INDArray[] {images, ids, mask};
    }

    @Test
    void tinyClipPassesANumericalGradientCheck() throws Exception {
        BlockTestSupport.inDouble(() -> {
            ComputationGraph graph = tiny(DataType.DOUBLE);
            int b = 4;
            INDArray[] x = batch(b, DataType.DOUBLE, 7);
            INDArray labels = ContrastiveHeads.identityLabels(b, 0, DataType.DOUBLE);
            // Every parameter array of the model, a spread subset of each: the blocks have full checks.
            BlockTestSupport.assertGradientsOk(graph, new INDArray[] {x[0], x[1]}, new INDArray[] {null, x[2]},
                    new INDArray[] {labels, labels.dup()}, null, 6);
        });
    }

    @Test
    void paddingContentAndLengthDoNotChangeTheTextEmbedding() throws Exception {
        BlockTestSupport.inDouble(() -> {
            ComputationGraph graph = tiny(DataType.DOUBLE);
            int shortLength = 5;
            INDArray[] x = batch(3, DataType.DOUBLE, 11, shortLength);
            INDArray a = embedding(graph, x[0], x[1], x[2]);
            // Garbage in the padded positions.
            INDArray ids = Nd4j.zeros(DataType.DOUBLE, 3, 1, LENGTH);
            INDArray mask = Nd4j.zeros(DataType.DOUBLE, 3, LENGTH);
            ids.assign(x[1]);
            mask.assign(x[2]);
            for (int i = 0; i < 3; i++) {
                for (int t = 0; t < LENGTH; t++) {
                    if (mask.getDouble(i, t) == 0) {
                        ids.putScalar(new long[] {i, 0, t}, 3 + (i * 31 + t * 17) % (VOCAB - 3));
                    }
                }
            }
            INDArray b = embedding(graph, x[0], ids, mask);
            assertTrue(a.equalsWithEps(b, 1e-10), "padding content changed the text embedding");
            // Less padding: the batch cut to its longest caption.
            INDArray cut = embedding(graph, x[0],
                    x[1].get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, shortLength)).dup(),
                    x[2].get(NDArrayIndex.all(), NDArrayIndex.interval(0, shortLength)).dup());
            assertTrue(a.equalsWithEps(cut, 1e-10), "padding length changed the text embedding");
            // A real token does change it: the checks above can fail.
            INDArray changed = x[1].dup();
            changed.putScalar(new long[] {0, 0, 1}, (changed.getDouble(0, 0, 1) + 1 - 3) % (VOCAB - 3) + 3);
            assertTrue(!a.equalsWithEps(embedding(graph, x[0], changed, x[2]), 1e-10), "a real token matters");
        });
    }

    private static INDArray embedding(ComputationGraph graph, INDArray images, INDArray ids, INDArray mask) {
        graph.setLayerMaskArrays(new INDArray[] {null, mask}, null);
        Map<String, INDArray> acts = graph.feedForward(new INDArray[] {images, ids}, false, false);
        graph.clearLayerMaskArrays();
        return acts.get("textEmbedding").dup();
    }

    @Test
    void configurationSurvivesJsonAndTheModelSurvivesModelSerializerBitForBit() throws Exception {
        ComputationGraph graph = tiny(DataType.FLOAT);
        INDArray[] x = batch(5, DataType.FLOAT, 3);
        INDArray labels = ContrastiveHeads.identityLabels(5, 0, DataType.FLOAT);
        BlockTestSupport.assertRoundTripsAfterOneStep(graph, new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[] {x[0], x[1]}, new INDArray[] {labels, labels.dup()}, new INDArray[] {null, x[2]}, null));
    }

    /** CLIP with the small-CNN image tower ({@code image.encoder = cnn}) at tiny width. */
    private static ComputationGraph tinyCnn(DataType dt) {
        Config conf = ConfigFactory.parseMap(Map.of("chorus.model.image.encoder", "cnn",
                "chorus.model.image.cnn.channels", java.util.List.of(4, 6))).withFallback(clipConf("tiny"));
        ModelBuilder.BuiltModel built = ModelRegistry.build(conf, SHAPES, new ModelBuilder.Training(
                dt == DataType.DOUBLE ? new NoOp() : new org.nd4j.linalg.learning.config.Adam(1e-3), dt));
        ComputationGraph graph = new ComputationGraph(built.configuration());
        graph.init();
        return graph;
    }

    @Test
    void theCnnImageTowerPassesAGradientCheckAndRoundTrips() throws Exception {
        BlockTestSupport.inDouble(() -> {
            ComputationGraph graph = tinyCnn(DataType.DOUBLE);
            assertTrue(graph.getConfiguration().getVertices().containsKey("imageConv1"), "the CNN tower is built");
            int b = 4;
            INDArray[] x = batch(b, DataType.DOUBLE, 5);
            INDArray labels = ContrastiveHeads.identityLabels(b, 0, DataType.DOUBLE);
            BlockTestSupport.assertGradientsOk(graph, new INDArray[] {x[0], x[1]}, new INDArray[] {null, x[2]},
                    new INDArray[] {labels, labels.dup()}, null, 6);
        });
        ComputationGraph graph = tinyCnn(DataType.FLOAT);
        INDArray[] x = batch(5, DataType.FLOAT, 3);
        INDArray labels = ContrastiveHeads.identityLabels(5, 0, DataType.FLOAT);
        BlockTestSupport.assertRoundTripsAfterOneStep(graph, new org.nd4j.linalg.dataset.MultiDataSet(
                new INDArray[] {x[0], x[1]}, new INDArray[] {labels, labels.dup()}, new INDArray[] {null, x[2]}, null));
        // conv0: 16x16 positions x 3·3·3 x 4; conv1: 8x8 x 4·3·3 x 6 multiply-adds per image, 2 FLOPs each.
        ai.chorus.models.Flops.Count flops = ai.chorus.models.Flops.of(graph, Map.of(
                "image", org.deeplearning4j.nn.conf.inputs.InputType.convolutional(IMAGE, IMAGE, 3),
                "text", org.deeplearning4j.nn.conf.inputs.InputType.recurrent(1, LENGTH)), 1);
        assertEquals(2 * (16 * 16 * 27 * 4), flops.vertex("imageConv0").forward(), "conv0 FLOPs");
        assertEquals(2 * (8 * 8 * 36 * 6), flops.vertex("imageConv1").forward(), "conv1 FLOPs");
    }

    @Test
    void anUnknownImageEncoderIsNamed() {
        Config conf = ConfigFactory.parseMap(Map.of("chorus.model.image.encoder", "resnet")).withFallback(clipConf("tiny"));
        ConfigException e = assertThrows(ConfigException.class, () -> ModelRegistry.build(conf, SHAPES,
                ModelBuilder.Training.defaults()));
        assertTrue(e.getMessage().contains("chorus.model.image.encoder") && e.getMessage().contains("cnn"), e.getMessage());
    }

    @Test
    void theRegistryKnowsClipAndNamesTheUnknown() {
        assertTrue(ModelRegistry.builders().containsKey("clip"));
        Config unknown = ConfigFactory.parseMap(Map.of("chorus.model.builder", "clop")).withFallback(clipConf("tiny"));
        ConfigException e = assertThrows(ConfigException.class, () -> ModelRegistry.build(unknown, SHAPES,
                ModelBuilder.Training.defaults()));
        assertTrue(e.getMessage().contains("clop") && e.getMessage().contains("clip"), e.getMessage());
    }

    @Test
    void aSizeWithoutPresetIsNamed() {
        ConfigException e = assertThrows(ConfigException.class, () -> ModelRegistry.build(clipConf("huge"), SHAPES,
                ModelBuilder.Training.defaults()));
        assertTrue(e.getMessage().contains("huge") && e.getMessage().contains("tiny"), e.getMessage());
    }

    @Test
    void imageSizeThatIsNoMultipleOfThePatchIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> ModelRegistry.build(clipConf("tiny"),
                InputShapes.imageText(20, VOCAB, LENGTH), ModelBuilder.Training.defaults()));
        assertTrue(e.getMessage().contains("chorus.model.image.patch") && e.getMessage().contains("divisor of the image size 20"),
                e.getMessage());
    }
}
