package ai.chorus.train;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static ai.chorus.train.TestSamples.pixel;
import static ai.chorus.train.TestSamples.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Exact tensors, masks, labels and errors of {@link SampleBatches} on rows in data-prep's schema. */
class SampleBatchesTest {
    private static final int IMAGE = 4;
    private static final int VOCAB = 50;
    private static final int T = 6;
    private static final int MELS = 3;
    private static final int FRAMES = 5;
    private static final int VIDEO_FRAMES = 2;
    private static final int VIDEO = 3;
    private static final InputShapes SHAPES = new InputShapes(IMAGE, 3, VOCAB, T, MELS, FRAMES, VIDEO_FRAMES, VIDEO, 0);
    private static final List<String> CONTRASTIVE = List.of("lossAtoB", "lossBtoA");

    private static ModelIO contrastive(String... inputs) {
        return new ModelIO(List.of(inputs), CONTRASTIVE, ModelIO.IDENTITY_LABELS, Map.of());
    }

    private static SampleBatches batches(String... inputs) {
        return new SampleBatches(contrastive(inputs), SHAPES, 0.0, List.of(), 7);
    }

    private static TestSamples withText(TestSamples s) {
        return s.tokens(new int[][] {{1, 7, 8, 2, 0, 0}}, new int[] {4});
    }

    @Test
    void imagePixelAtYXCLandsAtBCYXDividedBy255() {
        List<Row> rows = List.of(sample("a").image(IMAGE, IMAGE, 1).row(), sample("b").image(IMAGE, IMAGE, 2).row());
        INDArray image = batches("image").batch(rows, 0).getFeatures(0);
        assertArrayEquals(new long[] {2, 3, IMAGE, IMAGE}, image.shape());
        assertEquals(DataType.FLOAT, image.dataType());
        for (int b = 0; b < 2; b++) {
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < IMAGE; y++) {
                    for (int x = 0; x < IMAGE; x++) {
                        assertEquals(pixel(b + 1, y, x, c) / 255f, image.getFloat(b, c, y, x), 0f,
                                "b=" + b + " c=" + c + " y=" + y + " x=" + x);
                    }
                }
            }
        }
    }

    @Test
    void videoFrameTColourCIsChannelT3PlusC() {
        List<Row> rows = List.of(sample("a").video(VIDEO_FRAMES, VIDEO, VIDEO, 10).row(),
                sample("b").video(VIDEO_FRAMES, VIDEO, VIDEO, 20).row());
        INDArray video = batches("video").batch(rows, 0).getFeatures(0);
        assertArrayEquals(new long[] {2, VIDEO_FRAMES * 3, VIDEO, VIDEO}, video.shape());
        for (int b = 0; b < 2; b++) {
            for (int t = 0; t < VIDEO_FRAMES; t++) {
                for (int c = 0; c < 3; c++) {
                    for (int y = 0; y < VIDEO; y++) {
                        for (int x = 0; x < VIDEO; x++) {
                            assertEquals(pixel(10 * (b + 1) + t, y, x, c) / 255f, video.getFloat(b, t * 3 + c, y, x), 0f,
                                    "b=" + b + " t=" + t + " c=" + c + " y=" + y + " x=" + x);
                        }
                    }
                }
            }
        }
    }

    @Test
    void textIsIdsB1TWithAMaskOverTheRealTokens() {
        Row a = sample("a").tokens(new int[][] {{1, 7, 8, 2, 0, 0}}, new int[] {4}).row();
        Row b = sample("b").tokens(new int[][] {{1, 9, 10, 11, 12, 2}}, new int[] {6}).row();
        MultiDataSet mds = batches("text").batch(List.of(a, b), 0);
        INDArray ids = mds.getFeatures(0);
        assertArrayEquals(new long[] {2, 1, T}, ids.shape());
        assertArrayEquals(new float[] {1, 7, 8, 2, 0, 0, 1, 9, 10, 11, 12, 2}, ids.data().asFloat());
        INDArray mask = mds.getFeaturesMaskArray(0);
        assertArrayEquals(new long[] {2, T}, mask.shape());
        assertEquals(DataType.FLOAT, mask.dataType());
        assertArrayEquals(new float[] {1, 1, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1}, mask.data().asFloat());
    }

    @Test
    void featuresFollowTheModelsInputOrderAndOnlyTextHasAMask() {
        Row r = withText(sample("a").image(IMAGE, IMAGE, 3)).row();
        MultiDataSet mds = batches("text", "image").batch(List.of(r), 0);
        assertArrayEquals(new long[] {1, 1, T}, mds.getFeatures(0).shape());
        assertArrayEquals(new long[] {1, 3, IMAGE, IMAGE}, mds.getFeatures(1).shape());
        assertArrayEquals(new long[] {1, T}, mds.getFeaturesMaskArray(0).shape());
        assertNull(mds.getFeaturesMaskArray(1));
        assertNull(batches("image").batch(List.of(r), 0).getFeaturesMaskArrays(), "no text, no masks");
    }

    private static int chosenCaption(SampleBatches batches, Row row, int epoch) {
        // Caption i of captionRow below starts with id 10 + i.
        return (int) batches.batch(List.of(row), epoch).getFeatures(0).getFloat(0, 0, 1) - 10;
    }

    private static Row captionRow(String key) {
        return sample(key).tokens(new int[][] {{1, 10, 2, 0, 0, 0}, {1, 11, 2, 0, 0, 0}, {1, 12, 5, 2, 0, 0}},
                new int[] {3, 3, 4}).row();
    }

    @Test
    void captionChoiceDependsOnlyOnSeedEpochAndKeyAndCyclesThroughAllCaptions() {
        SampleBatches first = batches("text");
        SampleBatches again = batches("text");
        Row row = captionRow("k");
        Set<Integer> seen = new HashSet<>();
        for (int epoch = 0; epoch < 3; epoch++) {
            int c = chosenCaption(first, row, epoch);
            seen.add(c);
            assertEquals(c, chosenCaption(again, row, epoch), "a rerun sees the same caption");
            // The same row in another batch, at another position: same caption.
            MultiDataSet mixed = first.batch(List.of(captionRow("other"), row), epoch);
            assertEquals(10 + c, mixed.getFeatures(0).getFloat(1, 0, 1), 0f);
            float[] mask = mixed.getFeaturesMaskArray(0).getRow(1).toFloatVector();
            assertEquals(c == 2 ? 4 : 3, (int) sum(mask), "the mask follows the chosen caption's length");
        }
        assertEquals(Set.of(0, 1, 2), seen, "three epochs show all three captions");

        // Across keys and seeds the start differs: not every key shows caption 0 in epoch 0.
        Set<Integer> starts = new HashSet<>();
        SampleBatches otherSeed = new SampleBatches(contrastive("text"), SHAPES, 0.0, List.of(), 8);
        int differ = 0;
        for (int i = 0; i < 30; i++) {
            starts.add(chosenCaption(first, captionRow("key" + i), 0));
            if (chosenCaption(first, captionRow("key" + i), 0) != chosenCaption(otherSeed, captionRow("key" + i), 0)) {
                differ++;
            }
        }
        assertEquals(Set.of(0, 1, 2), starts);
        assertTrue(differ >= 10, "another seed changes about two thirds of the choices, changed " + differ + " of 30");
    }

    private static float sum(float[] v) {
        float s = 0;
        for (float x : v) {
            s += x;
        }
        return s;
    }

    private static Row audioRow(String key, float[][] logMel) {
        return sample(key).audio(logMel).row();
    }

    /** The expected standardised values of the first {@code kept} frames of each band, in double precision. */
    private static double[][] standardised(float[][] logMel, int kept) {
        double sum = 0;
        int n = 0;
        for (float[] band : logMel) {
            for (int f = 0; f < kept; f++) {
                sum += band[f];
                n++;
            }
        }
        double mean = sum / n;
        double sq = 0;
        for (float[] band : logMel) {
            for (int f = 0; f < kept; f++) {
                sq += (band[f] - mean) * (band[f] - mean);
            }
        }
        double std = Math.sqrt(sq / n + MediaLayouts.VARIANCE_EPSILON);
        double[][] out = new double[logMel.length][kept];
        for (int m = 0; m < logMel.length; m++) {
            for (int f = 0; f < kept; f++) {
                out[m][f] = (logMel[m][f] - mean) / std;
            }
        }
        return out;
    }

    @Test
    void audioIsCroppedOrZeroPaddedToTheModelsFramesAndStandardisedPerExample() {
        float[][] longClip = new float[MELS][FRAMES + 2];
        float[][] shortClip = new float[MELS][FRAMES - 2];
        for (int m = 0; m < MELS; m++) {
            for (int f = 0; f < longClip[m].length; f++) {
                longClip[m][f] = -20f + 3 * m + 0.5f * f * f;
            }
            for (int f = 0; f < shortClip[m].length; f++) {
                shortClip[m][f] = 100f * m - f;
            }
        }
        float[][] silence = new float[MELS][FRAMES];
        for (float[] band : silence) {
            java.util.Arrays.fill(band, (float) Math.log(1e-10));
        }
        INDArray audio = batches("audio").batch(List.of(audioRow("long", longClip), audioRow("short", shortClip),
                audioRow("silent", silence)), 0).getFeatures(0);
        assertArrayEquals(new long[] {3, 1, MELS, FRAMES}, audio.shape());
        double[][] expectLong = standardised(longClip, FRAMES);
        double[][] expectShort = standardised(shortClip, FRAMES - 2);
        for (int m = 0; m < MELS; m++) {
            for (int f = 0; f < FRAMES; f++) {
                assertEquals(expectLong[m][f], audio.getFloat(0, 0, m, f), 1e-5, "long clip, cropped: m=" + m + " f=" + f);
                float shortValue = audio.getFloat(1, 0, m, f);
                assertEquals(f < FRAMES - 2 ? expectShort[m][f] : 0.0, shortValue, 1e-5, "short clip, padded: m=" + m + " f=" + f);
                assertEquals(0f, audio.getFloat(2, 0, m, f), 0f, "silence standardises to zeros, not NaN");
            }
        }
        // Zero mean and unit variance over the kept frames.
        INDArray kept = audio.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0)).reshape(MELS * FRAMES);
        assertEquals(0.0, kept.meanNumber().doubleValue(), 1e-5);
        assertEquals(1.0, kept.varNumber().doubleValue() * (MELS * FRAMES - 1) / (MELS * FRAMES), 1e-4);
    }

    @Test
    void presenceInputsMarkMissingModalitiesWhoseArraysStayZero() {
        float[][] logMel = {{1, 2, 3, 4, 5}, {5, 4, 3, 2, 1}, {0, 1, 0, 1, 0}};
        Row both = withText(sample("both").audio(logMel)).row();
        Row textOnly = withText(sample("textOnly")).row();
        SampleBatches b = batches("audio", "audioPresent", "text");
        MultiDataSet mds = b.batch(List.of(both, textOnly), 0);
        assertArrayEquals(new long[] {2, 1}, mds.getFeatures(1).shape());
        assertArrayEquals(new float[] {1, 0}, mds.getFeatures(1).data().asFloat());
        assertTrue(mds.getFeatures(0).slice(0).amaxNumber().doubleValue() > 0, "present audio is filled");
        assertEquals(0.0, mds.getFeatures(0).slice(1).amaxNumber().doubleValue(), 0.0, "missing audio is zeros");

        SampleFieldException e = assertThrows(SampleFieldException.class,
                () -> batches("audio", "text").batch(List.of(both, textOnly), 0));
        assertEquals("textOnly", e.key());
        assertEquals("audio_log_mel", e.field());
        assertTrue(e.getMessage().contains("'audioPresent'"), e.getMessage());
    }

    @Test
    void missingTextWithAPresenceInputHasZeroIdsAndAZeroMask() {
        Row noText = sample("noText").image(IMAGE, IMAGE, 1).row();
        MultiDataSet mds = batches("image", "text", "textPresent").batch(List.of(noText), 0);
        assertEquals(0.0, mds.getFeatures(1).amaxNumber().doubleValue(), 0.0);
        assertEquals(0.0, mds.getFeaturesMaskArray(1).amaxNumber().doubleValue(), 0.0);
        assertEquals(0f, mds.getFeatures(2).getFloat(0, 0), 0f);
    }

    @Test
    void identityLabelsPerOutputWithLabelSmoothing() {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            rows.add(withText(sample("k" + i).image(IMAGE, IMAGE, i)).row());
        }
        MultiDataSet mds = new SampleBatches(contrastive("image", "text"), SHAPES, 0.1, List.of(), 7).batch(rows, 0);
        assertEquals(2, mds.getLabels().length);
        assertNotSame(mds.getLabels(0), mds.getLabels(1), "each output has its own labels");
        for (INDArray labels : mds.getLabels()) {
            assertEquals(DataType.FLOAT, labels.dataType());
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals((i == j ? 0.9 : 0.0) + 0.1 / 4, labels.getDouble(i, j), 1e-7);
                }
            }
        }
    }

    private static final List<String> CLASSES = List.of("cat", "dog", "emu");
    private static final InputShapes CLASSIFIER = new InputShapes(IMAGE, 3, 0, 0, 0, 0, 0, 0, CLASSES.size());

    private static SampleBatches classifier() {
        return new SampleBatches(new ModelIO(List.of("image"), List.of("out"), ModelIO.CLASS_LABELS, Map.of()),
                CLASSIFIER, 0.0, CLASSES, 7);
    }

    @Test
    void classLabelsAreOneHotOverTheFixedClassList() {
        List<Row> rows = List.of(sample("a").image(IMAGE, IMAGE, 1).set("label", "emu").row(),
                sample("b").image(IMAGE, IMAGE, 2).set("label", "cat").row());
        INDArray labels = classifier().batch(rows, 0).getLabels(0);
        assertArrayEquals(new long[] {2, 3}, labels.shape());
        assertArrayEquals(new float[] {0, 0, 1, 1, 0, 0}, labels.data().asFloat());

        SampleFieldException e = assertThrows(SampleFieldException.class, () -> classifier().batch(
                List.of(sample("fox1").image(IMAGE, IMAGE, 1).set("label", "fox").row()), 0));
        assertEquals("fox1", e.key());
        assertEquals("label", e.field());
        assertTrue(e.getMessage().contains("'fox'"), e.getMessage());

        e = assertThrows(SampleFieldException.class, () -> classifier().batch(
                List.of(sample("nolabel").image(IMAGE, IMAGE, 1).row()), 0));
        assertEquals("label", e.field());
        assertThrows(IllegalArgumentException.class, () -> new SampleBatches(
                new ModelIO(List.of("image"), List.of("out"), ModelIO.CLASS_LABELS, Map.of()), CLASSIFIER, 0.0,
                List.of("cat", "dog"), 7), "a class list that does not match the model's classes is refused");
    }

    /** The error of a batch whose first row is fine and whose second is {@code bad}. */
    private static SampleFieldException refused(SampleBatches b, Row fine, Row bad) {
        b.batch(List.of(fine), 0);
        return assertThrows(SampleFieldException.class, () -> b.batch(List.of(fine, bad), 0));
    }

    private static SampleFieldException refused(SampleBatches b, Row bad) {
        return refused(b, withText(sample("ok").image(IMAGE, IMAGE, 0)).row(), bad);
    }

    @Test
    void rowsThatDoNotFitNameTheirKeyAndField() {
        SampleBatches b = batches("image", "text");
        SampleFieldException e = refused(b, withText(sample("big").image(IMAGE + 1, IMAGE + 1, 0)).row());
        assertEquals("big", e.key());
        assertEquals("image_height", e.field());
        assertTrue(e.getMessage().startsWith("sample 'big', field image_height: is 5, expected 4"), e.getMessage());

        e = refused(b, withText(sample("short").image(IMAGE, IMAGE, 0)).set("image_rgb", new byte[10]).row());
        assertEquals("image_rgb", e.field());

        e = refused(b, sample("noimage").tokens(new int[][] {{1, 2, 0, 0, 0, 0}}, new int[] {2}).row());
        assertEquals("image_rgb", e.field());

        e = refused(b, sample("oov").image(IMAGE, IMAGE, 0).tokens(new int[][] {{1, VOCAB, 2, 0, 0, 0}}, new int[] {3}).row());
        assertEquals("oov", e.key());
        assertEquals("token_ids[0]", e.field());
        assertTrue(e.getMessage().contains("outside the vocabulary of 50"), e.getMessage());

        e = refused(b, sample("long").image(IMAGE, IMAGE, 0).tokens(new int[][] {{1, 3, 3, 3, 3, 3, 2}}, new int[] {7}).row());
        assertEquals("token_ids[0]", e.field());
        assertTrue(e.getMessage().contains("has 7 values, the model expects 6"), e.getMessage());

        e = refused(b, sample("len").image(IMAGE, IMAGE, 0).tokens(new int[][] {{1, 3, 2, 0, 0, 0}}, new int[] {0}).row());
        assertEquals("token_lengths[0]", e.field());

        e = refused(batches("audio"), sample("ok").audio(new float[MELS][FRAMES]).row(),
                sample("mels").audio(new float[MELS + 1][FRAMES]).row());
        assertEquals("mels", e.key());
        assertEquals("audio_n_mels", e.field());
        e = refused(batches("video"), sample("ok").video(VIDEO_FRAMES, VIDEO, VIDEO, 0).row(),
                sample("frames").video(VIDEO_FRAMES + 1, VIDEO, VIDEO, 0).row());
        assertEquals("frames", e.key());
        assertEquals("video_frame_count", e.field());
    }

    @Test
    void rowsWithOnlySomeColumnsInAnotherOrderWork() {
        StructType selected = new StructType()
                .add("image_width", DataTypes.IntegerType).add("image_rgb", DataTypes.BinaryType)
                .add("key", DataTypes.StringType).add("image_height", DataTypes.IntegerType);
        Row full = sample("a").image(IMAGE, IMAGE, 5).row();
        Row partial = new GenericRowWithSchema(new Object[] {IMAGE, full.getAs("image_rgb"), "a", IMAGE}, selected);
        assertEquals(batches("image").batch(List.of(full), 0).getFeatures(0),
                batches("image").batch(List.of(partial), 0).getFeatures(0));

        SampleFieldException e = assertThrows(SampleFieldException.class, () -> batches("image", "text").batch(List.of(partial), 0));
        assertEquals("token_ids", e.field());
        assertTrue(e.getMessage().contains("no such column"), e.getMessage());
    }

    @Test
    void inputsItCannotFeedAreRefusedUpFront() {
        assertThrows(IllegalArgumentException.class, () -> batches("image", "depth"));
        assertThrows(IllegalArgumentException.class, () -> new SampleBatches(contrastive("audio"),
                InputShapes.imageText(IMAGE, VOCAB, T), 0.0, List.of(), 7), "a model that needs audio the data lacks");
        assertThrows(IllegalArgumentException.class, () -> new SampleBatches(contrastive("image"), SHAPES, 1.0,
                List.of(), 7), "label smoothing must be below 1");
        assertThrows(IllegalArgumentException.class, () -> batches("image").batch(List.of(), 0));
    }
}
