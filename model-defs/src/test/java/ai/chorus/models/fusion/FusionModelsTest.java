package ai.chorus.models.fusion;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelIO;
import ai.chorus.models.ModelRegistry;
import ai.chorus.models.blocks.BlockTestSupport;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image–text classifiers at size tiny, every fusion mode of conf/models/fusion.conf and the cross-modal
 * transformer of conf/models/crossmodal.conf: gradients, text padding, both modalities reaching the classifier,
 * serialisation, registry.
 */
class FusionModelsTest {
    private static final int IMAGE = 16;
    private static final int VOCAB = 40;
    private static final int LENGTH = 8;
    /** Real lengths stay below this, so a batch can also be cut to it (less padding). */
    private static final int SHORT = 6;
    private static final int CLASSES = 3;
    private static final InputShapes SHAPES = new InputShapes(IMAGE, 3, VOCAB, LENGTH, 0, 0, 0, 0, CLASSES);

    /** Every model under test: a conf file and, for the fusion builder, its mode. */
    enum Variant {
        EARLY("fusion", "early"), LATE("fusion", "late"), GATED("fusion", "gated"),
        IMAGE_ONLY("fusion", "image-only"), TEXT_ONLY("fusion", "text-only"), CROSSMODAL("crossmodal", null);

        final String file;
        final String mode;

        Variant(String file, String mode) {
            this.file = file;
            this.mode = mode;
        }

        boolean readsImage() {
            return this != TEXT_ONLY;
        }

        boolean readsText() {
            return this != IMAGE_ONLY;
        }
    }

    static Config conf(String file, String size, String mode) {
        Path path = Path.of(System.getProperty("chorus.repo", "..")).resolve("conf/models/" + file + ".conf");
        Map<String, Object> overrides = new HashMap<>();
        overrides.put("chorus.model.size", size);
        if (mode != null) {
            overrides.put("chorus.model.fusion", mode);
        }
        return ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.parseFile(path.toFile())).resolve();
    }

    private static ModelBuilder.BuiltModel built(Variant v, DataType dt) {
        return ModelRegistry.build(conf(v.file, "tiny", v.mode), SHAPES,
                new ModelBuilder.Training(dt == DataType.DOUBLE ? new NoOp() : new Adam(1e-3), dt));
    }

    private static ComputationGraph tiny(Variant v, DataType dt) {
        ComputationGraph graph = new ComputationGraph(built(v, dt).configuration());
        graph.init();
        return graph;
    }

    /** A minibatch: images in [0, 1], token ids (start 1, end 2, pad 0) with ragged lengths <= SHORT, one-hot labels. */
    private record Batch(INDArray images, INDArray ids, INDArray mask, INDArray labels) {
        static Batch random(int b, DataType dt, long seed) {
            Random r = new Random(seed);
            INDArray images = Nd4j.rand(dt, b, 3, IMAGE, IMAGE);
            INDArray ids = Nd4j.zeros(dt, b, 1, LENGTH);
            INDArray mask = Nd4j.zeros(dt, b, LENGTH);
            INDArray labels = Nd4j.zeros(dt, b, CLASSES);
            for (int i = 0; i < b; i++) {
                int len = 3 + r.nextInt(SHORT - 2);
                for (int t = 0; t < len; t++) {
                    ids.putScalar(new long[] {i, 0, t}, t == 0 ? 1 : t == len - 1 ? 2 : 3 + r.nextInt(VOCAB - 3));
                    mask.putScalar(new long[] {i, t}, 1);
                }
                labels.putScalar(i, r.nextInt(CLASSES), 1);
            }
            return new Batch(images, ids, mask, labels);
        }

        Batch with(INDArray newImages, INDArray newIds, INDArray newMask) {
            return new Batch(newImages, newIds, newMask, labels);
        }

        /** The graph's inputs in ModelIO order. */
        INDArray[] features(ModelIO io) {
            return io.inputs().stream().map(n -> n.equals("image") ? images : ids).toArray(INDArray[]::new);
        }

        INDArray[] masks(ModelIO io) {
            return io.inputs().stream().map(n -> n.equals("text") ? mask : null).toArray(INDArray[]::new);
        }

        MultiDataSet dataSet(ModelIO io) {
            return new MultiDataSet(features(io), new INDArray[] {labels}, masks(io), null);
        }
    }

    private static INDArray probabilities(ComputationGraph graph, ModelIO io, Batch batch) {
        return graph.output(false, batch.features(io), batch.masks(io))[0].dup();
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void tinyModelPassesANumericalGradientCheck(Variant v) throws Exception {
        BlockTestSupport.inDouble(() -> {
            ModelIO io = built(v, DataType.DOUBLE).io();
            ComputationGraph graph = tiny(v, DataType.DOUBLE);
            Batch batch = Batch.random(3, DataType.DOUBLE, 7);
            // Every parameter array, a spread subset of each: the blocks have full checks of their own.
            BlockTestSupport.assertGradientsOk(graph, batch.features(io), batch.masks(io),
                    new INDArray[] {batch.labels()}, null, 4);
        });
    }

    @ParameterizedTest
    @EnumSource(value = Variant.class, names = "IMAGE_ONLY", mode = EnumSource.Mode.EXCLUDE)
    void textPaddingContentAndLengthDoNotChangeTheClassProbabilities(Variant v) throws Exception {
        BlockTestSupport.inDouble(() -> {
            ModelIO io = built(v, DataType.DOUBLE).io();
            ComputationGraph graph = tiny(v, DataType.DOUBLE);
            Batch batch = Batch.random(3, DataType.DOUBLE, 11);
            INDArray reference = probabilities(graph, io, batch);

            // Garbage token ids in every padded position.
            INDArray ids = batch.ids().dup();
            for (int i = 0; i < 3; i++) {
                for (int t = 0; t < LENGTH; t++) {
                    if (batch.mask().getDouble(i, t) == 0) {
                        ids.putScalar(new long[] {i, 0, t}, 3 + (i * 31 + t * 17) % (VOCAB - 3));
                    }
                }
            }
            INDArray garbage = probabilities(graph, io, batch.with(batch.images(), ids, batch.mask()));
            assertTrue(reference.equalsWithEps(garbage, 1e-10), "padding content changed the class probabilities: "
                    + reference + " vs " + garbage);

            // Less padding: the batch cut to SHORT positions.
            INDArray shortIds = batch.ids().get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, SHORT))
                    .dup();
            INDArray shortMask = batch.mask().get(NDArrayIndex.all(), NDArrayIndex.interval(0, SHORT)).dup();
            INDArray cut = probabilities(graph, io, batch.with(batch.images(), shortIds, shortMask));
            assertTrue(reference.equalsWithEps(cut, 1e-10), "padding length changed the class probabilities: "
                    + reference + " vs " + cut);

            // A real token does change them: the checks above can fail.
            INDArray changed = batch.ids().dup();
            changed.putScalar(new long[] {0, 0, 1}, 3 + (changed.getInt(0, 0, 1) - 2) % (VOCAB - 3));
            INDArray other = probabilities(graph, io, batch.with(batch.images(), changed, batch.mask()));
            assertTrue(other.getRow(0).sub(reference.getRow(0)).amaxNumber().doubleValue() > 1e-9,
                    "a real token changed nothing");
        });
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void theClassifierSeesExactlyTheModalitiesTheModelReads(Variant v) {
        ModelIO io = built(v, DataType.FLOAT).io();
        assertEquals(v.readsImage(), io.inputs().contains("image"), io.inputs().toString());
        assertEquals(v.readsText(), io.inputs().contains("text"), io.inputs().toString());
        assertEquals(List.of("classes"), io.outputs());
        assertEquals(ModelIO.CLASS_LABELS, io.labels());
        ComputationGraph graph = tiny(v, DataType.FLOAT);
        Batch batch = Batch.random(4, DataType.FLOAT, 5);
        INDArray reference = probabilities(graph, io, batch);
        assertEquals(4, reference.size(0));
        assertEquals(CLASSES, reference.size(1));
        assertTrue(reference.sum(1).sub(1.0).amaxNumber().doubleValue() < 1e-5, "rows of probabilities sum to 1");
        if (v.readsImage()) {
            INDArray flipped = batch.images().rsub(1.0);
            INDArray other = probabilities(graph, io, batch.with(flipped, batch.ids(), batch.mask()));
            assertFalse(other.equalsWithEps(reference, 1e-6), "the image does not reach the classifier");
        }
        if (v.readsText()) {
            INDArray ids = batch.ids().dup();
            for (int i = 0; i < 4; i++) {
                ids.putScalar(new long[] {i, 0, 1}, 3 + (ids.getInt(i, 0, 1) - 2) % (VOCAB - 3));
            }
            INDArray other = probabilities(graph, io, batch.with(batch.images(), ids, batch.mask()));
            assertFalse(other.equalsWithEps(reference, 1e-6), "the text does not reach the classifier");
        }
        for (String vertex : io.embeddings().values()) {
            assertTrue(graph.getConfiguration().getVertices().containsKey(vertex), "embedding vertex " + vertex);
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void configurationSurvivesJsonAndTheModelSurvivesModelSerializerBitForBit(Variant v) throws Exception {
        ModelIO io = built(v, DataType.FLOAT).io();
        ComputationGraph graph = tiny(v, DataType.FLOAT);
        BlockTestSupport.assertRoundTripsAfterOneStep(graph, Batch.random(4, DataType.FLOAT, 3).dataSet(io));
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void trainsWithWorkspacesAsWithoutAndFitsABatch(Variant v) {
        ModelBuilder.BuiltModel m = built(v, DataType.FLOAT);
        MultiDataSet data = Batch.random(8, DataType.FLOAT, 13).dataSet(m.io());
        double[][] scores = new double[2][10];
        WorkspaceMode[] modes = {WorkspaceMode.ENABLED, WorkspaceMode.NONE};
        for (int k = 0; k < 2; k++) {
            ComputationGraphConfiguration conf = m.configuration().clone();
            conf.setTrainingWorkspaceMode(modes[k]);
            conf.setInferenceWorkspaceMode(modes[k]);
            ComputationGraph graph = new ComputationGraph(conf);
            graph.init();
            for (int i = 0; i < scores[k].length; i++) {
                graph.fit(data);
                scores[k][i] = graph.score();
            }
        }
        for (int i = 0; i < scores[0].length; i++) {
            assertTrue(Double.isFinite(scores[0][i]), "step " + i);
            assertEquals(scores[1][i], scores[0][i], 1e-4 * Math.max(1, Math.abs(scores[1][i])), "step " + i);
        }
        assertTrue(scores[0][9] < scores[0][0], "the loss should fall on one repeated batch: " + scores[0][0]
                + " -> " + scores[0][9]);
    }

    @Test
    void theCrossModalTransformerHasTheConfiguredRounds() {
        Config three = ConfigFactory.parseMap(Map.of("chorus.model.sizes.tiny.crossmodal.layers", 3))
                .withFallback(conf("crossmodal", "tiny", null));
        ComputationGraph graph = new ComputationGraph(ModelRegistry.build(three, SHAPES,
                ModelBuilder.Training.defaults()).configuration());
        for (int i = 0; i < 3; i++) {
            assertTrue(graph.getConfiguration().getVertices().containsKey("crossmodal" + i + "Attend"));
            assertTrue(graph.getConfiguration().getVertices().containsKey("crossmodal" + i + "Block0"));
        }
        assertFalse(graph.getConfiguration().getVertices().containsKey("crossmodal3Attend"));
    }

    @Test
    void theRegistryKnowsBothBuildersAndAnUnknownModeIsNamed() {
        assertTrue(ModelRegistry.builders().containsKey("fusion"));
        assertTrue(ModelRegistry.builders().containsKey("crossmodal"));
        ConfigException e = assertThrows(ConfigException.class, () -> ModelRegistry.build(
                conf("fusion", "tiny", "middle"), SHAPES, ModelBuilder.Training.defaults()));
        assertTrue(e.getMessage().contains("chorus.model.fusion") && e.getMessage().contains("middle")
                && e.getMessage().contains("early | late | gated | image-only | text-only"), e.getMessage());
    }

    @Test
    void dataWithoutClassesIsRefused() {
        InputShapes noClasses = InputShapes.imageText(IMAGE, VOCAB, LENGTH);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelRegistry.build(
                conf("crossmodal", "tiny", null), noClasses, ModelBuilder.Training.defaults()));
        assertTrue(e.getMessage().contains("at least 2 classes"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void smallAndBasePresetsBuildForEmojiSizedData(Variant v) {
        // 64x64 images, captions up to 32 tokens: what the emoji caption-matching task feeds.
        InputShapes emoji = new InputShapes(64, 3, 8192, 32, 0, 0, 0, 0, 2);
        for (String size : List.of("small", "base")) {
            ModelBuilder.BuiltModel m = ModelRegistry.build(conf(v.file, size, v.mode), emoji,
                    ModelBuilder.Training.defaults());
            assertEquals(List.of("classes"), m.io().outputs(), size);
        }
    }
}
