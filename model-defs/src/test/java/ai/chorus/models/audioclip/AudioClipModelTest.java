package ai.chorus.models.audioclip;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.ModelIO;
import ai.chorus.models.ModelRegistry;
import ai.chorus.models.blocks.BlockTestSupport;
import ai.chorus.models.blocks.ContrastiveHeads;
import ai.chorus.models.blocks.ContrastiveLogitsVertex;
import ai.chorus.models.encoders.AudioTower;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AudioCLIP as built from conf/models/audioclip.conf at size tiny, fed batches in which samples lack modalities:
 * gradients, the masking of absent pairs, the loss against a brute-force reference, serialisation, registry.
 */
class AudioClipModelTest {
    private static final int IMAGE = 16;
    private static final int VOCAB = 40;
    private static final int LENGTH = 8;
    private static final int MELS = 16;
    private static final int FRAMES = 48;
    static final InputShapes SHAPES = new InputShapes(IMAGE, 3, VOCAB, LENGTH, MELS, FRAMES, 0, 0, 0);
    private static final String[] MODALITIES = {"image", "text", "audio"};
    /** The logits vertex of each pair, in the builder's order, with the modalities it pairs (indices above). */
    private static final String[] PAIR_LOGITS = {"imageText-logits", "audioText-logits", "audioImage-logits"};
    private static final int[][] PAIRS = {{0, 1}, {2, 1}, {2, 0}};

    static Config conf(String size) {
        Path file = Path.of(System.getProperty("chorus.repo", "..")).resolve("conf/models/audioclip.conf");
        return ConfigFactory.parseMap(Map.of("chorus.model.size", size))
                .withFallback(ConfigFactory.parseFile(file.toFile())).resolve();
    }

    private static ModelBuilder.BuiltModel built(DataType dt) {
        return ModelRegistry.build(conf("tiny"), SHAPES,
                new ModelBuilder.Training(dt == DataType.DOUBLE ? new NoOp() : new Adam(1e-3), dt));
    }

    private static ComputationGraph tiny(DataType dt) {
        ComputationGraph graph = new ComputationGraph(built(dt).configuration());
        graph.init();
        return graph;
    }

    /** A minibatch: the six inputs in ModelIO order and their masks (text's only). */
    record Batch(INDArray[] features, INDArray[] masks) {
        MultiDataSet withLabels() {
            return new MultiDataSet(features, labels(features[0].size(0)), masks, null);
        }
    }

    static INDArray[] labels(long b) {
        INDArray eye = ContrastiveHeads.identityLabels(b, 0, DataType.DOUBLE);
        INDArray[] out = new INDArray[6];
        for (int i = 0; i < out.length; i++) {
            out[i] = eye.dup();
        }
        return out;
    }

    /**
     * present[i] = {image, text, audio} of sample i. A missing modality is zeros (text: ids 0 and a zero mask row),
     * as the data side gives it, or random content with {@code garbage}: the model must not see the difference.
     */
    static Batch batch(boolean[][] present, long seed, boolean garbage) {
        int b = present.length;
        DataType dt = DataType.DOUBLE;
        Random r = new Random(seed);
        Random junk = new Random(seed + 1000);
        INDArray images = Nd4j.zeros(dt, b, 3, IMAGE, IMAGE);
        INDArray ids = Nd4j.zeros(dt, b, 1, LENGTH);
        INDArray mask = Nd4j.zeros(dt, b, LENGTH);
        INDArray audio = Nd4j.zeros(dt, b, 1, MELS, FRAMES);
        INDArray[] flags = {Nd4j.zeros(dt, b, 1), Nd4j.zeros(dt, b, 1), Nd4j.zeros(dt, b, 1)};
        for (int i = 0; i < b; i++) {
            // Every sample draws from r whether present or not, so present content does not depend on the pattern.
            INDArray image = BlockTestSupport.gaussian(r, dt, 3, IMAGE, IMAGE).muli(0.25).addi(0.5);
            INDArray spectrogram = BlockTestSupport.gaussian(r, dt, 1, MELS, FRAMES);
            int len = 3 + r.nextInt(LENGTH - 2);
            int[] tokens = new int[len];
            for (int t = 0; t < len; t++) {
                tokens[t] = t == 0 ? 1 : t == len - 1 ? 2 : 3 + r.nextInt(VOCAB - 3);
            }
            if (present[i][0]) {
                images.putSlice(i, image);
            } else if (garbage) {
                images.putSlice(i, BlockTestSupport.gaussian(junk, dt, 3, IMAGE, IMAGE));
            }
            if (present[i][1] || garbage) {
                int n = present[i][1] ? len : 1 + junk.nextInt(LENGTH);
                for (int t = 0; t < n; t++) {
                    ids.putScalar(new long[] {i, 0, t}, present[i][1] ? tokens[t] : junk.nextInt(VOCAB));
                    mask.putScalar(new long[] {i, t}, 1);
                }
            }
            if (present[i][2]) {
                audio.putSlice(i, spectrogram);
            } else if (garbage) {
                audio.putSlice(i, BlockTestSupport.gaussian(junk, dt, 1, MELS, FRAMES).muli(3));
            }
            for (int m = 0; m < 3; m++) {
                flags[m].putScalar(i, 0, present[i][m] ? 1 : 0);
            }
        }
        return new Batch(new INDArray[] {images, ids, audio, flags[0], flags[1], flags[2]},
                new INDArray[] {null, mask, null, null, null, null});
    }

    /** Sample 1 has no audio, 2 no text, 3 no image, 5 only an image: each pair has 3 of 6 samples. */
    static final boolean[][] MIXED = {
            {true, true, true},
            {true, true, false},
            {true, false, true},
            {false, true, true},
            {true, true, true},
            {true, false, false},
    };

    @Test
    void passesANumericalGradientCheckWithModalitiesMissing() throws Exception {
        BlockTestSupport.inDouble(() -> {
            ComputationGraph graph = tiny(DataType.DOUBLE);
            Batch x = batch(MIXED, 7, false);
            // Every parameter array of the model, a spread subset of each: the blocks have full checks.
            BlockTestSupport.assertGradientsOk(graph, x.features(), x.masks(), labels(MIXED.length), null, 5);
        });
    }

    private record ScoreAndGradient(double score, INDArray gradient) {
    }

    private static ScoreAndGradient scoreAndGradient(ComputationGraph graph, Batch x) {
        graph.setInputs(x.features());
        graph.setLabels(labels(x.features()[0].size(0)));
        graph.setLayerMaskArrays(x.masks(), null);
        graph.computeGradientAndScore();
        ScoreAndGradient out = new ScoreAndGradient(graph.score(), graph.gradient().gradient().dup());
        graph.clearLayerMaskArrays();
        return out;
    }

    @Test
    void whatAMissingSlotHoldsChangesNeitherTheLossNorAnyGradient() throws Exception {
        BlockTestSupport.inDouble(() -> {
            ComputationGraph graph = tiny(DataType.DOUBLE);
            ScoreAndGradient zeros = scoreAndGradient(graph, batch(MIXED, 21, false));
            ScoreAndGradient garbage = scoreAndGradient(graph, batch(MIXED, 21, true));
            assertTrue(Double.isFinite(zeros.score()) && zeros.score() > 0, "score " + zeros.score());
            assertEquals(zeros.score(), garbage.score(), 0.0, "the content of missing slots changed the loss");
            assertEquals(0.0, zeros.gradient().sub(garbage.gradient()).amaxNumber().doubleValue(), 0.0,
                    "the content of missing slots changed a gradient");

            // The comparison can see a change: the same edit on a present sample's audio changes both.
            Batch edited = batch(MIXED, 21, false);
            edited.features()[2].putScalar(new long[] {0, 0, 3, 5}, 2.5);
            ScoreAndGradient present = scoreAndGradient(graph, edited);
            assertTrue(present.score() != zeros.score(), "a present sample's audio did not change the loss");
            assertTrue(zeros.gradient().sub(present.gradient()).amaxNumber().doubleValue() > 0);
        });
    }

    @Test
    void lossEqualsABruteForceReferenceWithMissingModalities() throws Exception {
        BlockTestSupport.inDouble(() -> {
            ComputationGraph graph = tiny(DataType.DOUBLE);
            // Different logit scales per pair, so that a mix-up of the pairs' scales shows.
            for (int p = 0; p < PAIR_LOGITS.length; p++) {
                graph.getVertex(PAIR_LOGITS[p]).params().assign(1.0 + 0.7 * p);
            }
            for (boolean[][] pattern : new boolean[][][] {MIXED, ONE_AUDIO, NO_AUDIO}) {
                Batch x = batch(pattern, 33, false);
                double expected = bruteForceLoss(graph, x, pattern);
                double actual = graph.score(x.withLabels(), false);
                assertEquals(expected, actual, 1e-9 * Math.max(1, expected));
            }
        });
    }

    /** Audio in sample 2 only: both audio pairs have one sample. */
    static final boolean[][] ONE_AUDIO = {
            {true, true, false},
            {true, true, false},
            {true, true, true},
            {true, false, false},
    };
    static final boolean[][] NO_AUDIO = {
            {true, true, false},
            {true, true, false},
            {false, true, false},
    };

    /**
     * Plain Java from the three embeddings: for each pair, the symmetric InfoNCE over the samples that have both
     * modalities (cosine logits times the pair's scale, mean over those samples' rows, 0 if none), averaged over
     * the three pairs.
     */
    private static double bruteForceLoss(ComputationGraph graph, Batch x, boolean[][] present) {
        graph.setLayerMaskArrays(x.masks(), null);
        Map<String, INDArray> acts = graph.feedForward(x.features(), false, false);
        graph.clearLayerMaskArrays();
        double[][][] emb = new double[3][][];
        for (int m = 0; m < 3; m++) {
            emb[m] = acts.get(MODALITIES[m] + "Embedding").toDoubleMatrix();
        }
        double total = 0;
        for (int p = 0; p < PAIRS.length; p++) {
            double scale = Math.exp(graph.getVertex(PAIR_LOGITS[p]).params().getDouble(0));
            double[][] a = emb[PAIRS[p][0]];
            double[][] b = emb[PAIRS[p][1]];
            int n = a.length;
            boolean[] both = new boolean[n];
            int count = 0;
            for (int i = 0; i < n; i++) {
                both[i] = present[i][PAIRS[p][0]] && present[i][PAIRS[p][1]];
                count += both[i] ? 1 : 0;
            }
            double aToB = 0;
            double bToA = 0;
            for (int i = 0; i < n; i++) {
                if (!both[i]) {
                    continue;
                }
                double sumAB = 0;
                double sumBA = 0;
                for (int j = 0; j < n; j++) {
                    if (both[j]) {
                        sumAB += Math.exp(scale * cosine(a[i], b[j]));
                        sumBA += Math.exp(scale * cosine(b[i], a[j]));
                    }
                }
                aToB -= scale * cosine(a[i], b[i]) - Math.log(sumAB);
                bToA -= scale * cosine(b[i], a[i]) - Math.log(sumBA);
            }
            total += count == 0 ? 0 : (aToB / count + bToA / count) / 2;
        }
        return total / PAIRS.length;
    }

    private static double cosine(double[] u, double[] v) {
        double dot = 0;
        double nu = 0;
        double nv = 0;
        for (int k = 0; k < u.length; k++) {
            dot += u[k] * v[k];
            nu += u[k] * u[k];
            nv += v[k] * v[k];
        }
        return dot / Math.sqrt(nu * nv);
    }

    @Test
    void aPairWithFewerThanTwoSamplesAddsNothingAndTrainsNothing() throws Exception {
        BlockTestSupport.inDouble(() -> {
            ComputationGraph graph = tiny(DataType.DOUBLE);
            for (boolean[][] pattern : new boolean[][][] {ONE_AUDIO, NO_AUDIO}) {
                ScoreAndGradient sg = scoreAndGradient(graph, batch(pattern, 5, false));
                assertTrue(Double.isFinite(sg.score()) && sg.score() > 0, "score " + sg.score());
                assertFalse(sg.gradient().isNaN().any() || sg.gradient().isInfinite().any(),
                        "NaN or inf in the gradient");
                Map<String, INDArray> byParam = graph.gradient().gradientForVariable();
                double audio = 0;
                double other = 0;
                for (Map.Entry<String, INDArray> e : byParam.entrySet()) {
                    double max = e.getValue().amaxNumber().doubleValue();
                    boolean audioPart = e.getKey().startsWith("audio");
                    if (audioPart) {
                        audio = Math.max(audio, max);
                    } else {
                        other = Math.max(other, max);
                    }
                }
                assertEquals(0.0, audio, 0.0, "the audio tower and the audio pairs' scales got a gradient");
                assertTrue(other > 0, "the image-text pair trains");
            }
        });
    }

    @Test
    void configurationSurvivesJsonAndTheModelSurvivesModelSerializerBitForBit() throws Exception {
        ComputationGraph graph = tiny(DataType.FLOAT);
        BlockTestSupport.assertJsonRoundTrip(graph.getConfiguration());
        MultiDataSet data = asFloat(batch(MIXED, 3, false));
        // One step first, so that the updater state has to survive too.
        graph.fit(data);
        assertTrue(Double.isFinite(graph.score()), "score after a step: " + graph.score());
        BlockTestSupport.assertSerializerRoundTrip(graph, data.getFeatures(), data.getFeaturesMaskArrays());
    }

    @Test
    void trainsInFloatWithWorkspacesOnABatchWithGaps() {
        ComputationGraph graph = tiny(DataType.FLOAT);
        MultiDataSet data = asFloat(batch(MIXED, 9, false));
        double first = graph.score(data, false);
        for (int step = 0; step < 30; step++) {
            graph.fit(data);
            assertTrue(Double.isFinite(graph.score()), "step " + step + ": score " + graph.score());
        }
        double last = graph.score(data, false);
        assertTrue(last < 0.5 * first, "30 Adam steps on one batch: " + first + " -> " + last);
    }

    private static MultiDataSet asFloat(Batch x) {
        INDArray[] features = new INDArray[x.features().length];
        for (int i = 0; i < features.length; i++) {
            features[i] = x.features()[i].castTo(DataType.FLOAT);
        }
        INDArray[] masks = {null, x.masks()[1].castTo(DataType.FLOAT), null, null, null, null};
        INDArray[] labels = labels(x.features()[0].size(0));
        for (int i = 0; i < labels.length; i++) {
            labels[i] = labels[i].castTo(DataType.FLOAT);
        }
        return new MultiDataSet(features, labels, masks, null);
    }

    @Test
    void theRegistryKnowsAudioClipAndItsInputsOutputsAndEmbeddings() {
        assertTrue(ModelRegistry.builders().get("audioclip") instanceof AudioClipBuilder);
        ModelIO io = built(DataType.FLOAT).io();
        assertEquals(List.of("image", "text", "audio", "imagePresent", "textPresent", "audioPresent"), io.inputs());
        assertEquals(List.of("imagePresent", "textPresent", "audioPresent"), io.presenceInputs());
        assertEquals("audio", ModelIO.modalityOfPresence(ModelIO.presenceInput("audio")));
        assertEquals(List.of("imageText-lossAtoB", "imageText-lossBtoA", "audioText-lossAtoB", "audioText-lossBtoA",
                "audioImage-lossAtoB", "audioImage-lossBtoA"), io.outputs());
        assertEquals(ModelIO.IDENTITY_LABELS, io.labels());
        assertEquals(Map.of("image", "imageEmbedding", "text", "textEmbedding", "audio", "audioEmbedding"),
                io.embeddings());
        // Each pair learns its own temperature, starting at the configured one.
        ComputationGraph graph = tiny(DataType.FLOAT);
        for (String logits : PAIR_LOGITS) {
            assertEquals(Math.log(1 / 0.07), graph.getVertex(logits).paramTable(false)
                    .get(ContrastiveLogitsVertex.PARAM_LOGIT_SCALE).getDouble(0), 1e-6, logits);
        }
    }

    @Test
    void theTuxPaintShapesBuildAtTinyAndSmallOnceTheFramesAreCropped() {
        for (String size : new String[] {"tiny", "small"}) {
            Config c = conf(size);
            int frames = AudioTower.frames(new ModelConfig(c.getConfig("chorus.model")), 401);
            assertEquals(400, frames, size);
            InputShapes tux = new InputShapes(64, 3, 512, 32, 64, frames, 0, 0, 0);
            ModelBuilder.BuiltModel m = ModelRegistry.build(c, tux, ModelBuilder.Training.defaults());
            // 64 mels x 400 frames at patch 16: 4 x 25 patches and the class token.
            assertEquals(101, audioPatchTokens(m), size);
            ConfigException e = assertThrows(ConfigException.class, () -> ModelRegistry.build(c,
                    new InputShapes(64, 3, 512, 32, 64, 401, 0, 0, 0), ModelBuilder.Training.defaults()));
            assertTrue(e.getMessage().contains("chorus.model.audio.patch") && e.getMessage().contains("401")
                    && e.getMessage().contains("400"), e.getMessage());
        }
    }

    private static long audioPatchTokens(ModelBuilder.BuiltModel m) {
        org.deeplearning4j.nn.conf.graph.LayerVertex v = (org.deeplearning4j.nn.conf.graph.LayerVertex)
                m.configuration().getVertices().get("audioPatches");
        return ((ai.chorus.models.blocks.PatchEmbedding) v.getLayerConf().getLayer()).numTokens();
    }
}
