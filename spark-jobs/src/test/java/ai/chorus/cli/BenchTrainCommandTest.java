package ai.chorus.cli;

import ai.chorus.bench.ModelFiles;
import ai.chorus.models.Flops;
import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelRegistry;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code chorus bench-train} end to end at tiny size (no timing assertions: the numbers are only checked sane). */
class BenchTrainCommandTest {
    private static final Path REPO = Path.of(System.getProperty("chorus.repo", ".."));
    private static final File CLIP = REPO.resolve("conf/models/clip.conf").toFile();
    private static final File ALIGN = REPO.resolve("conf/models/align.conf").toFile();

    @Test
    void clipAndAlignAtTinySizeGiveEveryFieldOfTheJson(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("bench/train.json");
        int code = ChorusCli.run("bench-train", "-c", CLIP.getPath(), "-c", ALIGN.getPath(), "--size", "tiny",
                "--batch", "4", "--steps", "2", "--warmup", "1", "--profile", "--gemm-sizes", "64,96",
                "--gemm-repeats", "2", "--image-size", "16", "--vocab", "40", "--text-length", "8",
                "--json", json.toString());
        assertEquals(0, code);
        JsonNode report = new ObjectMapper().readTree(json.toFile());

        assertEquals("bench-train", report.path("command").asText());
        assertTrue(report.path("flopConvention").asText().contains("3 x forward"));
        assertTrue(report.path("machine").path("cores").asInt() > 0);
        assertTrue(report.path("machine").has("loadAverageStart"));
        JsonNode gemm = report.path("gemm");
        assertEquals(2, gemm.path("sizes").size());
        assertEquals(96, gemm.path("sizes").get(1).path("n").asInt());
        assertPositive(gemm, "peakGflops");
        assertEquals(4, report.path("settings").path("batch").asInt());

        JsonNode models = report.path("models");
        assertEquals(2, models.size());
        assertEquals("clip", models.get(0).path("name").asText());
        assertEquals("align", models.get(1).path("name").asText());
        // align.conf has no size presets: it is layered over clip.conf, as its users include it.
        assertEquals(2, models.get(1).path("files").size());
        for (JsonNode m : models) {
            assertEquals("identity", m.path("labels").asText());
            assertPositive(m, "parameters");
            JsonNode t = m.path("stepMs");
            assertEquals(2, t.path("all").size());
            assertPositive(t, "median");
            assertTrue(t.path("min").asDouble() <= t.path("p10").asDouble()
                    && t.path("p10").asDouble() <= t.path("median").asDouble()
                    && t.path("median").asDouble() <= t.path("p90").asDouble()
                    && t.path("p90").asDouble() <= t.path("max").asDouble(), t.toString());
            assertPositive(m, "samplesPerSecond");
            assertPositive(m, "achievedGflops");
            assertPositive(m, "shareOfGemmPeak");
            assertTrue(Double.isFinite(m.path("lastScore").asDouble()), "loss " + m.path("lastScore"));
            JsonNode f = m.path("flops");
            assertPositive(f, "forwardPerStep");
            assertEquals(3 * f.path("forwardPerStep").asLong(), f.path("trainingPerStep").asLong());
            assertEquals(f.path("trainingPerStep").asDouble() / 4, f.path("trainingPerSample").asDouble(), 1e-6);
            JsonNode mem = m.path("memory");
            for (String field : List.of("heapUsedPeakMiB", "heapMaxMiB", "javacppPeakMiB", "residentPeakMiB")) {
                assertPositive(mem, field);
            }
            JsonNode p = m.path("profile");
            assertPositive(p, "stepMs");
            assertPositive(p, "timedOpsMs");
            assertFalse(p.path("top").isEmpty(), "the profiled step timed no ND4J op");
            assertTrue(p.path("top").get(0).path("calls").asLong() > 0);
        }
        // The command counts what Flops counts for the model it built (same shapes, same batch).
        ModelFiles.Model clip = ModelFiles.load(CLIP, "tiny", List.of());
        InputShapes shapes = new InputShapes(16, 3, 40, 8, 64, 501, 8, 64, 10);
        ModelBuilder.BuiltModel built = ModelRegistry.build(clip.config(), shapes, ModelBuilder.Training.defaults());
        assertEquals(Flops.of(built, shapes, 4).training(), models.get(0).path("flops").path("trainingPerStep").asLong());
        // ALIGN is CLIP's architecture with other settings: the same work per step.
        assertEquals(models.get(0).path("flops").path("trainingPerStep").asLong(),
                models.get(1).path("flops").path("trainingPerStep").asLong());
    }

    @Test
    void everyModelFileInTheRepositoryLoadsAndHasAFlopCount() {
        // Every layer and vertex type the models use needs a formula in Flops (an unknown one throws).
        InputShapes shapes = new InputShapes(16, 3, 40, 8, 64, 32, 2, 16, 3);
        for (File file : ModelFiles.in(REPO.resolve("conf/models").toFile())) {
            ModelFiles.Model model = ModelFiles.load(file, "tiny", List.of());
            ModelBuilder.BuiltModel built = ModelRegistry.build(model.config(), shapes, ModelBuilder.Training.defaults());
            assertTrue(Flops.of(built, shapes, 4).forward() > 0, file.getName());
        }
    }

    @Test
    void aMissingModelFileIsAConfigurationErrorBeforeAnyMeasurement() {
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = ChorusCli.run("bench-train", "-c", "no/such/model.conf", "--gemm-sizes", "4096");
        } finally {
            System.setErr(err);
        }
        assertEquals(2, code);
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("no/such/model.conf"), captured.toString());
    }

    private static void assertPositive(JsonNode node, String field) {
        assertTrue(node.has(field), "missing " + field + " in " + node);
        assertTrue(node.path(field).asDouble() > 0, field + " = " + node.path(field));
    }
}
