package ai.chorus.tests;

import ai.chorus.cli.ChorusCli;
import ai.chorus.report.ReportWriter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `chorus train` then `chorus eval` as a user runs them, on the real corpora with audio and video: every pair of the
 * model's modalities gets results under CLIP_benchmark's names with the right candidate-set sizes, and the examples
 * point at real media (the original audio file, a strip of the video's frames). Models are trained for a few steps
 * only: this is about what evaluation computes and writes, the learning tests are about quality.
 */
class EvalEveryModalityPairTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path dir;

    @Test
    void audioClipIsEvaluatedOnTextImageTextAudioAndAudioImage() throws Exception {
        Path dataset = DemoDatasets.prepared("tuxpaint");
        Path eval = trainAndEvaluate("audioclip", dataset, "train");
        long withAudioAndText = count(dataset, "train", "audio_log_mel", "token_ids");
        long withAudioAndImage = count(dataset, "train", "audio_log_mel", "image_rgb");

        JsonNode textAudio = results(eval, "text-audio.train");
        assertEquals(withAudioAndText, textAudio.path("sizes").path("audio_retrieval_candidates").asLong());
        assertTrue(textAudio.path("metrics").has("audio_retrieval_recall@5"), textAudio.toString());
        assertTrue(textAudio.path("metrics").has("text_retrieval_recall@5"), textAudio.toString());

        JsonNode audioImage = results(eval, "audio-image.train");
        assertEquals("[\"audio\",\"image\"]", audioImage.path("pair").toString());
        assertEquals(withAudioAndImage, audioImage.path("sizes").path("image_retrieval_candidates").asLong());
        assertEquals(withAudioAndImage, audioImage.path("sizes").path("image_retrieval_queries").asLong(),
                "one audio clip per sample: as many queries as candidates");
        assertTrue(audioImage.path("metrics").has("audio_retrieval_map"), audioImage.toString());

        JsonNode textImage = results(eval, "text-image.train");
        assertEquals(count(dataset, "train", "image_rgb", "token_ids"),
                textImage.path("sizes").path("image_retrieval_candidates").asLong());

        // Audio examples play the original recording, byte for byte.
        JsonNode direction = JSON.readTree(eval.resolve("examples/text-audio.train.json").toFile()).path("directions").get(0);
        assertEquals("audio_retrieval", direction.path("name").asText());
        JsonNode item = direction.path("examples").get(0).path("top").get(0);
        Path copied = eval.resolve(item.path("media").asText());
        assertTrue(copied.toString().endsWith(".ogg"), copied.toString());
        assertArrayEquals(Files.readAllBytes(originalAudio(dataset, item.path("key").asText())), Files.readAllBytes(copied));

        // The report plays those recordings in a real browser (Debian's Chromium decodes Ogg Vorbis).
        Path html = ReportWriter.write(dir.resolve("run"), eval, dir.resolve("report"), "AudioCLIP");
        try (HeadlessChromium chromium = HeadlessChromium.start().enableDomains()) {
            chromium.navigate(html.toUri(), Duration.ofSeconds(30));
            JsonNode players = chromium.evaluate("""
                    new Promise(resolve => {
                      const start = Date.now();
                      const poll = () => {
                        const all = [...document.querySelectorAll('audio')];
                        if (Date.now() - start > 15000 || all.every(a => a.readyState >= 1 || a.error)) {
                          resolve(all.map(a => ({ready: a.readyState, error: a.error ? a.error.code : null,
                                                 seconds: a.duration})));
                        } else {
                          setTimeout(poll, 100);
                        }
                      };
                      poll();
                    })""");
            assertTrue(players.size() >= 4, "audio players for the audio examples: " + players);
            for (JsonNode p : players) {
                assertTrue(p.path("ready").asInt() >= 1 && p.path("error").isNull() && p.path("seconds").asDouble() > 0.2,
                        "a recording that does not play: " + p);
            }
            assertEquals(List.of(), chromium.problems(), "console errors and exceptions");
        }
    }

    @Test
    void videoClipIsEvaluatedOnTextVideoWithFrameStrips() throws Exception {
        Path dataset = DemoDatasets.prepared("motion");
        Path eval = trainAndEvaluate("videoclip", dataset, "test");
        JsonNode textVideo = results(eval, "text-video.test");
        long clips = count(dataset, "test", "video_frames", "token_ids");
        assertEquals(clips, textVideo.path("sizes").path("video_retrieval_candidates").asLong());
        assertTrue(textVideo.path("metrics").has("video_retrieval_recall@1"), textVideo.toString());
        JsonNode item = JSON.readTree(eval.resolve("examples/text-video.test.json").toFile()).path("directions").get(0)
                .path("examples").get(0).path("top").get(0);
        BufferedImage strip = ImageIO.read(eval.resolve(item.path("media").asText()).toFile());
        assertEquals(8 * strip.getHeight(), strip.getWidth(), "8 frames side by side");
    }

    private Path trainAndEvaluate(String model, Path dataset, String split) {
        Path run = dir.resolve("run");
        Path eval = dir.resolve("eval");
        assertEquals(0, ChorusCli.run("train", "-c", Repo.file("conf/models/" + model + ".conf").toString(),
                "chorus.model.size=tiny", "chorus.spark.master=\"local[2]\"",
                "chorus.train.dataset=\"" + dataset.toUri() + "\"", "chorus.train.output=\"" + run.toUri() + "\"",
                "chorus.train.workers=1", "chorus.train.batch-size=16", "chorus.train.max-steps=3"), "chorus train");
        assertEquals(0, ChorusCli.run("eval", "chorus.spark.master=\"local[2]\"",
                "chorus.eval.run=\"" + run.toUri() + "\"", "chorus.eval.output=\"" + eval.toUri() + "\"",
                "chorus.eval.split=" + split, "chorus.eval.examples=4"), "chorus eval");
        return eval;
    }

    private static JsonNode results(Path eval, String pair) throws java.io.IOException {
        JsonNode r = JSON.readTree(eval.resolve("results/" + pair + ".json").toFile());
        assertEquals("zeroshot_retrieval", r.path("task").asText());
        return r;
    }

    private static long count(Path dataset, String split, String... columns) {
        SparkSession spark = session();
        try {
            var rows = spark.read().parquet(dataset.resolve("samples").toString()).filter(col("split").equalTo(split));
            for (String c : columns) {
                rows = rows.filter(col(c).isNotNull());
            }
            return rows.count();
        } finally {
            spark.stop();
        }
    }

    /** The recording as the manifest names it: relative to the manifest's folder. */
    private static Path originalAudio(Path dataset, String key) {
        SparkSession spark = session();
        try {
            Row row = spark.read().parquet(dataset.resolve("samples").toString()).filter(col("key").equalTo(key))
                    .select("source_file", "audio_path").first();
            return Path.of(URI.create(row.getString(0))).getParent().resolve(row.getString(1));
        } finally {
            spark.stop();
        }
    }

    private static SparkSession session() {
        return SparkSession.builder().master("local[1]").appName("eval-pairs-test").config("spark.ui.enabled", "false")
                .getOrCreate();
    }
}
