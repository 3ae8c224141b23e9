package ai.chorus.prep;

import ai.chorus.config.ChorusConfig;
import ai.chorus.prep.output.DatasetInfo;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrepareJobTest {
    private static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startSpark() {
        spark = SparkTestSession.start();
    }

    @AfterAll
    static void stopSpark() {
        spark.stop();
    }

    static PrepareOptions options(Path manifest, Path out, String... overrides) {
        List<String> all = new ArrayList<>(List.of(
                "chorus.prep.input.manifest=\"" + manifest.toUri() + "\"",
                "chorus.prep.output.path=\"" + out.toUri() + "\"",
                "chorus.prep.output.rows-per-shard=5",
                "chorus.prep.image.size=32",
                "chorus.prep.video.size=32",
                "chorus.prep.video.frames=4",
                "chorus.prep.audio.clip-seconds=1.0",
                "chorus.prep.tokenizer.vocab-size=300"));
        all.addAll(List.of(overrides));
        return PrepareOptions.fromConfig(ChorusConfig.load(List.of(), all));
    }

    private PrepareJob.Result prepare(PrepareOptions options) {
        return new PrepareJob(spark, options, 60_000).run();
    }

    private static Map<String, Row> byKey(Dataset<Row> ds) {
        Map<String, Row> m = new HashMap<>();
        for (Row r : ds.collectAsList()) {
            m.put(r.getString(r.fieldIndex("key")), r);
        }
        return m;
    }

    @Test
    void everyBadRowLandsInRejectsWithItsReasonAndCountsReconcile() {
        Path manifest = TestCorpus.writeCsv(tmp);
        Path out = tmp.resolve("out");
        PrepareJob.Result result = prepare(options(manifest, out));

        long rowsIn = TestCorpus.GOOD_KEYS.length + TestCorpus.EXPECTED_REJECTS.size();
        assertEquals(rowsIn, result.rowsIn());
        assertEquals(TestCorpus.GOOD_KEYS.length, result.samples());
        assertEquals(TestCorpus.EXPECTED_REJECTS.size(), result.rejects());

        Dataset<Row> samples = spark.read().parquet(out.resolve("samples").toString());
        Dataset<Row> rejects = spark.read().parquet(out.resolve("rejects").toString());
        assertEquals(TestCorpus.GOOD_KEYS.length, samples.count());
        assertEquals(samples.count(), samples.select("key").distinct().count(), "keys are unique");
        Map<String, String> rejected = new HashMap<>();
        for (Row r : rejects.collectAsList()) {
            String key = r.getString(r.fieldIndex("key"));
            rejected.put(key, r.getString(r.fieldIndex("error_class")));
            String message = r.getString(r.fieldIndex("message"));
            assertTrue(message.contains("manifest.csv row " + r.getLong(r.fieldIndex("source_row"))),
                    "message names file and row: " + message);
            assertNotNull(r.getString(r.fieldIndex("stage")));
        }
        assertEquals(new TreeMap<>(TestCorpus.EXPECTED_REJECTS), new TreeMap<>(rejected));

        // The first row with a duplicated key wins; the later one is the reject.
        Map<String, Row> s = byKey(samples);
        assertEquals(1L, s.get("png").getLong(s.get("png").fieldIndex("source_row")));
        Row dup = rejects.filter(col("key").equalTo("png")).first();
        assertEquals(19L, dup.getLong(dup.fieldIndex("source_row")));

        // Each modality is there, decoded to the configured shapes.
        Row png = s.get("png");
        assertEquals(32 * 32 * 3, ((byte[]) png.getAs("image_rgb")).length);
        assertEquals(200, (int) png.getAs("image_original_width"));
        assertEquals(List.of("a red and blue, flag"), png.getList(png.fieldIndex("captions")));
        Row wav = s.get("wav");
        int frames = wav.getAs("audio_frames");
        int mels = wav.getAs("audio_n_mels");
        assertEquals(mels * frames * 4, ((byte[]) wav.getAs("audio_log_mel")).length);
        assertEquals(16000, (int) wav.getAs("audio_sample_rate"));
        Row mp4 = s.get("mp4");
        assertEquals(4 * 32 * 32 * 3, ((byte[]) mp4.getAs("video_frames")).length);
        assertEquals(4, (int) s.get("frames").getAs("video_frame_count"));
        Row both = s.get("image-audio");
        assertNotNull(both.getAs("image_rgb"));
        assertNotNull(both.getAs("audio_log_mel"));
        assertEquals("a picture that \"sounds\"", both.getList(both.fieldIndex("captions")).get(0));

        // Token ids: start, some tokens, end, padding to max-length.
        Row lengths = samples.filter(col("key").equalTo("png"))
                .selectExpr("size(token_ids[0])", "token_ids[0][0]", "token_lengths[0]").first();
        assertEquals(32, lengths.getInt(0), "padded to max-length");
        assertEquals(1, lengths.getInt(1), "starts with <start_of_text>");
        assertTrue(lengths.getInt(2) > 2 && lengths.getInt(2) < 32, "true length " + lengths.getInt(2));

        DatasetInfo info = DatasetInfo.parse(readString(out.resolve("dataset.json")));
        assertEquals(rowsIn, info.rowsIn());
        assertEquals(TestCorpus.GOOD_KEYS.length, info.samples());
        assertEquals(1, info.json().path("counts").path("rejects_by_error_class").path("image.too-large").asInt());
        assertEquals(result.samples(), sum(info.json().path("counts").path("by_split")));
        assertTrue(Files.exists(out.resolve("tokenizer.json")));
        assertFalse(Files.exists(out.resolve("_staging")), "staging is gone after the commit");
    }

    @Test
    void aRerunWritesIdenticalRows() {
        Path manifest = TestCorpus.writeCsv(tmp);
        Path out = tmp.resolve("out");
        prepare(options(manifest, out));
        List<String> first = fingerprint(out);
        prepare(options(manifest, out));
        List<String> second = fingerprint(out);
        assertEquals(first, second);
        assertEquals(TestCorpus.GOOD_KEYS.length + TestCorpus.EXPECTED_REJECTS.size(), second.size());
    }

    @Test
    void retryRejectsProcessesOnlyRejectedRowsAndMerges() {
        Path manifest = TestCorpus.writeCsv(tmp);
        Path out = tmp.resolve("out");
        prepare(options(manifest, out));
        List<String> samplesBefore = fingerprintOf(out.resolve("samples"));

        // Fix two of the bad rows on disk; the others stay bad.
        Path corpus = manifest.getParent();
        TestMedia.write(corpus.resolve("img/nothere.png"),
                TestMedia.encode(TestMedia.halves(60, 60, Color.ORANGE, Color.PINK), "png"));
        TestCorpus.replace(corpus.resolve("img/empty.png"),
                TestMedia.encode(TestMedia.halves(60, 60, Color.GRAY, Color.PINK), "png"));

        PrepareJob.Result retried = new PrepareJob(spark, options(manifest, out), 60_000).retryRejects();
        assertEquals(TestCorpus.GOOD_KEYS.length + 2, retried.samples());
        assertEquals(TestCorpus.EXPECTED_REJECTS.size() - 2, retried.rejects());
        assertTrue(retried.reconciles());

        Dataset<Row> samples = spark.read().parquet(out.resolve("samples").toString());
        assertEquals(samples.count(), samples.select("key").distinct().count(), "no duplicates after the merge");
        List<String> samplesAfter = fingerprintOf(out.resolve("samples"));
        assertTrue(samplesAfter.containsAll(samplesBefore), "earlier samples are untouched");
        Map<String, Row> rejects = byKey(spark.read().parquet(out.resolve("rejects").toString()));
        assertFalse(rejects.containsKey("missing-file"));
        assertFalse(rejects.containsKey("zero-byte"));
        assertEquals("dedupe.duplicate-key", rejects.get("png").getAs("error_class"));
        DatasetInfo info = DatasetInfo.parse(readString(out.resolve("dataset.json")));
        assertEquals(2, info.runCount());

        // A second retry with nothing fixed changes nothing.
        new PrepareJob(spark, options(manifest, out), 60_000).retryRejects();
        assertEquals(samplesAfter, fingerprintOf(out.resolve("samples")));
    }

    @Test
    void retryWithDifferentPreprocessingIsRefused() {
        Path manifest = TestCorpus.writeCsv(tmp);
        Path out = tmp.resolve("out");
        prepare(options(manifest, out));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> new PrepareJob(spark, options(manifest, out, "chorus.prep.image.size=48"), 60_000).retryRejects());
        assertTrue(e.getMessage().contains("image"), e.getMessage());
    }

    private static long sum(com.fasterxml.jackson.databind.JsonNode node) {
        long total = 0;
        for (com.fasterxml.jackson.databind.JsonNode n : node) {
            total += n.asLong();
        }
        return total;
    }

    private List<String> fingerprint(Path out) {
        List<String> all = fingerprintOf(out.resolve("samples"));
        all.addAll(fingerprintOf(out.resolve("rejects")));
        return all;
    }

    /** Every row as text, binary columns as their SHA-256, sorted: equal lists mean equal rows. */
    private List<String> fingerprintOf(Path folder) {
        List<String> rows = new ArrayList<>();
        for (Row r : spark.read().parquet(folder.toString()).collectAsList()) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length(); i++) {
                Object v = r.get(i);
                sb.append(v instanceof byte[] b ? sha(b) : String.valueOf(v)).append('|');
            }
            rows.add(sb.toString());
        }
        rows.sort(String::compareTo);
        return rows;
    }

    private static String sha(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String readString(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void splitIsAPureFunctionOfTheKey() {
        SplitAssigner a = new SplitAssigner("chorus", 0.8, 0.1, 0.1);
        int[] counts = new int[3];
        for (int i = 0; i < 20_000; i++) {
            String split = a.splitOf("key-" + i);
            assertEquals(split, a.splitOf("key-" + i));
            counts[split.equals("train") ? 0 : split.equals("val") ? 1 : 2]++;
        }
        assertArrayEquals(new int[]{16000, 2000, 2000}, new int[]{round(counts[0]), round(counts[1]), round(counts[2])},
                Arrays.toString(counts));
        // Another seed is another assignment: a held-out set can be re-drawn on purpose.
        SplitAssigner other = new SplitAssigner("other", 0.8, 0.1, 0.1);
        long moved = java.util.stream.IntStream.range(0, 1000)
                .filter(i -> !a.splitOf("key-" + i).equals(other.splitOf("key-" + i))).count();
        assertTrue(moved > 200, moved + " of 1000 keys changed split with the seed");
    }

    /** Rounds to the nearest 1000 to compare sampled split sizes with their expectation (±500 of 20k). */
    private static int round(int n) {
        return Math.round(n / 1000f) * 1000;
    }
}
