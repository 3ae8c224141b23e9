package ai.chorus.tests;

import ai.chorus.cli.ChorusCli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's main command, {@code chorus pipeline -c conf/pipeline/emoji-clip.conf}, on the real emoji corpus
 * (prepared by the pipeline itself), trained for fewer epochs than the demo's 30 to fit the test budget: CLIP beats
 * chance on the held-out test split, the report it prints opens in a real headless Chromium without a broken image
 * or a console error, and a rerun redoes nothing.
 */
class PipelineTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EPOCHS = 6;
    /** Held-out Recall@1 at least this many times chance, both ways (the 30-epoch demo reaches ~15x). */
    private static final double TIMES_CHANCE = 3;

    @TempDir
    Path dir;

    @Test
    void preparesTrainsEvaluatesAndReportsAndARerunRedoesNothing() throws Exception {
        DemoDatasets.build("emoji");
        String[] args = {"pipeline", "-c", Repo.file("conf/pipeline/emoji-clip.conf").toString(),
                "chorus.spark.master=\"local[2]\"", "chorus.pipeline.output=\"" + dir + "\"",
                "chorus.prep.output.path=\"" + dir.resolve("dataset").toUri() + "\"", "chorus.train.epochs=" + EPOCHS,
                "chorus.train.validation.every-rounds=0"};
        String out = run(args);
        Path report = dir.resolve("report/report.html");
        assertTrue(out.contains("report: " + report), out);

        JsonNode results = JSON.readTree(dir.resolve("eval/results/text-image.test.json").toFile());
        assertEquals("test", results.path("split").asText());
        JsonNode sizes = results.path("sizes");
        JsonNode m = results.path("metrics");
        double imageChance = 1.0 / sizes.path("image_retrieval_candidates").asDouble();
        // An image has ~2.4 captions among the text candidates: chance of one at rank 1 is captions / candidates.
        double textChance = sizes.path("texts").asDouble() / sizes.path("images").asDouble()
                / sizes.path("text_retrieval_candidates").asDouble();
        System.out.printf(Locale.ROOT, "pipeline (%d epochs), held-out test: image_retrieval R@1 %.3f (chance %.4f), "
                        + "text_retrieval R@1 %.3f (chance %.4f), R@10 %.3f / %.3f%n", EPOCHS,
                m.path("image_retrieval_recall@1").asDouble(), imageChance, m.path("text_retrieval_recall@1").asDouble(),
                textChance, m.path("image_retrieval_recall@10").asDouble(), m.path("text_retrieval_recall@10").asDouble());
        assertTrue(m.path("image_retrieval_recall@1").asDouble() >= TIMES_CHANCE * imageChance, m.toString());
        assertTrue(m.path("text_retrieval_recall@1").asDouble() >= TIMES_CHANCE * textChance, m.toString());

        try (HeadlessChromium chromium = HeadlessChromium.start().enableDomains()) {
            chromium.navigate(report.toUri(), Duration.ofSeconds(30));
            JsonNode page = chromium.evaluate("""
                    (() => ({
                      headings: [...document.querySelectorAll('h2')].map(h => h.textContent.trim()),
                      charts: [...document.images].filter(i => i.classList.contains('chart')).length,
                      thumbnails: [...document.images].filter(i => i.classList.contains('thumb')).length,
                      broken: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).length
                    }))()""");
            List<String> headings = new ArrayList<>();
            page.get("headings").forEach(h -> headings.add(h.asText()));
            assertTrue(headings.containsAll(List.of("Training", "Retrieval", "Zero-shot classification",
                    "Retrieval examples")), headings.toString());
            // Loss, learning rate, Recall@K, and a rank histogram per direction.
            assertEquals(5, page.get("charts").asInt(), page.toString());
            assertTrue(page.get("thumbnails").asInt() >= 8 * 5, "top-5 thumbnails of 8 text queries: " + page);
            assertEquals(0, page.get("broken").asInt(), page.toString());
            assertEquals(List.of(), chromium.problems(), "console errors and exceptions");
        }

        long model = Files.getLastModifiedTime(dir.resolve("run/model.zip")).toMillis();
        long resultsTime = Files.getLastModifiedTime(dir.resolve("eval/results/text-image.test.json")).toMillis();
        String again = run(args);
        assertTrue(again.contains("done before, not redone: embeddings, text-image, zeroshot-image"), again);
        assertEquals(model, Files.getLastModifiedTime(dir.resolve("run/model.zip")).toMillis(), "not trained again");
        assertEquals(resultsTime, Files.getLastModifiedTime(dir.resolve("eval/results/text-image.test.json")).toMillis());
    }

    /** Runs the command line, returns what it printed (and passes it on), fails on a non-zero exit. */
    private static String run(String... args) {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            exit = ChorusCli.run(args);
        } finally {
            System.setOut(original);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(0, exit, "chorus pipeline exit code; output:\n" + out);
        return out;
    }
}
