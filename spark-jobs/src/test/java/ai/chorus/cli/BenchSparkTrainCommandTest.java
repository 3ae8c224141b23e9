package ai.chorus.cli;

import ai.chorus.train.TinyCorpus;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code chorus bench-spark-train} end to end at tiny size on the trainer tests' tiny corpus (no timing assertions). */
class BenchSparkTrainCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLIP = Path.of(System.getProperty("chorus.repo", ".."))
            .resolve("conf/models/clip.conf").toString();
    private static String dataset;

    @BeforeAll
    static void corpus() throws Exception {
        SparkSession spark = SparkSession.builder().master("local[1]").appName("chorus-bench-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        try {
            dataset = TinyCorpus.shared(spark);
        } finally {
            spark.stop(); // the command starts a session per number of workers (local[1], local[2])
        }
    }

    private static String[] command(String... extra) {
        List<String> args = new ArrayList<>(List.of("bench-spark-train", "-c", CLIP, "chorus.model.size=tiny",
                "chorus.train.dataset=\"" + dataset + "\"", "chorus.train.batch-size=4",
                "chorus.spark.conf.\"spark.ui.enabled\"=false", "chorus.spark.conf.\"spark.driver.host\"=127.0.0.1"));
        args.addAll(List.of(extra));
        return args.toArray(String[]::new);
    }

    @Test
    void oneAndTwoWorkersAtTwoFrequenciesGiveEveryFieldOfTheJson(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("bench/spark.json");
        Path runs = tmp.resolve("runs");
        int code = ChorusCli.run(command("--steps", "2", "--frequencies", "1,2", "--workers", "1,2",
                "--runs-dir", runs.toString(), "--json", json.toString()));
        assertEquals(0, code);
        JsonNode report = JSON.readTree(json.toFile());

        assertEquals("bench-spark-train", report.path("command").asText());
        assertEquals("clip", report.path("model").asText());
        assertEquals("tiny", report.path("size").asText());
        assertEquals(4, report.path("batchSize").asInt());
        assertPositive(report, "trainSamples");
        assertTrue(report.path("machine").path("cores").asInt() > 0);
        assertTrue(report.path("machine").has("loadAverageStart"));
        assertEquals(2, report.path("settings").path("steps").asInt());

        JsonNode plain = report.path("plain");
        assertEquals(2, plain.path("steps").asInt());
        assertEquals(2, plain.path("warmupSteps").asInt(), "warm-up = 1 round x the largest frequency");
        assertEquals(8, plain.path("samples").asLong());
        for (String field : List.of("parameters", "seconds", "samplesPerSecond", "samplesPerSecondPerCore",
                "stateCopyMs")) {
            assertPositive(plain, field);
        }
        assertPositive(plain.path("stepMs"), "median");
        assertPositive(plain.path("fitMs"), "median");
        assertEquals(2, plain.path("stepMs").path("all").size());
        assertTrue(Double.isFinite(plain.path("lastLoss").asDouble()));

        JsonNode spark = report.path("spark");
        assertEquals(4, spark.size());
        int i = 0;
        for (int workers : new int[] {1, 2}) {
            for (int frequency : new int[] {1, 2}) {
                JsonNode r = spark.get(i++);
                String run = "w" + workers + "-f" + frequency;
                assertEquals(workers, r.path("workers").asInt(), run);
                assertEquals(frequency, r.path("averagingFrequency").asInt(), run);
                assertEquals("local[" + workers + "]", r.path("master").asText(), run);
                assertEquals(2 / frequency, r.path("measuredRounds").asInt(), run);
                assertEquals(1, r.path("warmupRounds").asInt(), run);
                assertEquals(2, r.path("stepsPerWorker").asLong(), run);
                assertEquals(2L * workers * 4, r.path("samples").asLong(), run);
                for (String field : List.of("seconds", "samplesPerSecond", "samplesPerSecondPerCore", "computeSeconds",
                        "broadcastSeconds", "aggregateSeconds", "computeMsPerStep", "plainSecondsSameSamplesPerWorker",
                        "computeSlowdown", "nonComputeOverhead", "stateCopySeconds", "partsOverhead", "warmupSeconds", "outsideRoundsSeconds",
                        "totalSeconds")) {
                    assertPositive(r, field);
                }
                for (String field : List.of("overhead", "sameCoresOverhead", "otherSeconds", "lastLoss")) {
                    assertTrue(r.has(field) && Double.isFinite(r.path(field).asDouble()), run + " " + field);
                }
                // The overhead is the plain time for the same samples per worker against the measured rounds.
                assertEquals(r.path("seconds").asDouble() / r.path("plainSecondsSameSamplesPerWorker").asDouble() - 1,
                        r.path("overhead").asDouble(), 1e-9, run);
                assertEquals(r.path("nonComputeOverhead").asDouble() + r.path("measuredRounds").asInt()
                                * plain.path("stateCopyMs").asDouble() / 1e3
                                / r.path("plainSecondsSameSamplesPerWorker").asDouble(),
                        r.path("partsOverhead").asDouble(), 1e-9, run);
                // The split is the trainer's own metrics.jsonl, measured rounds only (after the warm-up round).
                List<JsonNode> lines = new ArrayList<>();
                for (String line : Files.readAllLines(runs.resolve(run).resolve("metrics.jsonl"))) {
                    lines.add(JSON.readTree(line));
                }
                assertEquals(1 + 2 / frequency, lines.size(), run);
                double compute = 0;
                double seconds = 0;
                for (JsonNode line : lines.subList(1, lines.size())) {
                    compute += line.path("compute_seconds").asDouble();
                    seconds += line.path("round_seconds").asDouble();
                }
                assertEquals(compute, r.path("computeSeconds").asDouble(), 1e-9, run);
                assertEquals(seconds, r.path("seconds").asDouble(), 1e-9, run);
            }
        }
        assertTrue(report.path("target").isNull(), "no run at the target's frequency 5");
        assertFalse(report.path("notes").isEmpty());
    }

    @Test
    void stepsThatAreNotWholeRoundsAreAConfigurationErrorBeforeSparkStarts() {
        String err = failing(2, command("--steps", "3", "--frequencies", "2"));
        assertTrue(err.contains("multiple of every averaging frequency"), err);
    }

    @Test
    void runsThatDoNotFitOneEpochAreAConfigurationError() {
        // About 50 training samples, 2 workers at batch 4: 6 steps per epoch; 1 warm-up + 8 measured do not fit.
        String err = failing(2, command("--steps", "8", "--frequencies", "1", "--workers", "2"));
        assertTrue(err.contains("steps per epoch"), err);
    }

    private static String failing(int expectedCode, String... args) {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        int code;
        try {
            code = ChorusCli.run(args);
        } finally {
            System.setErr(saved);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertEquals(expectedCode, code, err);
        return err;
    }

    private static void assertPositive(JsonNode node, String field) {
        assertTrue(node.has(field), "missing " + field + " in " + node);
        assertTrue(node.path(field).asDouble() > 0, field + " = " + node.path(field));
    }
}
