package ai.chorus.train;

import ai.chorus.cli.ChorusCli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `chorus train` as a user runs it: exit code, run folder, per-round metrics with validation, a loadable model. */
class TrainCommandTest {
    @TempDir
    Path dir;

    @Test
    void trainsWritesMetricsWithValidationAndAModelThatLoads() throws Exception {
        String dataset;
        SparkSession spark = TrainTestSupport.spark("local[2]");
        try {
            dataset = TinyCorpus.shared(spark);
        } finally {
            spark.stop(); // the command starts its own session
        }
        Path out = dir.resolve("run");
        int exit = ChorusCli.run("train", "-c", TrainTestSupport.modelFile("clip").toString(), "chorus.model.size=tiny",
                "chorus.spark.master=\"local[2]\"", "chorus.train.dataset=\"" + dataset + "\"",
                "chorus.train.output=\"" + out.toUri() + "\"", "chorus.train.batch-size=4", "chorus.train.epochs=2",
                "chorus.train.averaging-frequency=3", "chorus.train.validation.every-rounds=2",
                "chorus.train.checkpoint.every-rounds=2", "chorus.train.checkpoint.keep=1");
        assertEquals(0, exit, "chorus train exit code");

        List<JsonNode> rounds = new ArrayList<>();
        for (String line : Files.readAllLines(out.resolve("metrics.jsonl"))) {
            rounds.add(new ObjectMapper().readTree(line));
        }
        // 55 training samples, 2 workers x batch 4: 6 steps per epoch, 2 rounds of 3 per epoch, 2 epochs.
        assertEquals(4, rounds.size(), "rounds");
        for (JsonNode r : rounds) {
            for (String field : List.of("loss", "learning_rate", "samples_per_second", "compute_seconds",
                    "broadcast_seconds", "aggregate_seconds", "round_seconds")) {
                assertTrue(r.path(field).isNumber() && r.path(field).asDouble() >= 0, field + " in " + r);
            }
        }
        JsonNode validated = rounds.get(1);
        assertTrue(validated.path("val_loss").asDouble() > 0, "validation loss in round 2: " + validated);
        double recall = validated.path("val_image_to_text_recall@1").asDouble(-1);
        assertTrue(recall >= 0 && recall <= 1, "validation Recall@1 image->text in round 2: " + validated);
        assertTrue(validated.has("val_text_to_image_recall@1"), validated.toString());
        assertTrue(!rounds.get(0).has("val_loss"), "no validation in round 1");

        try (var folders = Files.list(out.resolve("checkpoints"))) {
            assertEquals(List.of("round-00000004"), folders.map(p -> p.getFileName().toString()).toList(),
                    "only the newest checkpoint is kept");
        }
        ComputationGraph model = ModelSerializer.restoreComputationGraph(out.resolve(TrainJob.FINAL_MODEL).toFile(), true);
        assertEquals(12, model.getIterationCount(), "the final model has taken 12 steps");
    }
}
