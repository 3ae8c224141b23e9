package ai.chorus.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import org.apache.spark.SparkException;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Killed and resumed runs end exactly where an unbroken run ends, and a failed task is retried by Spark without
 * changing the result. CLIP tiny with dropout (so the per-round random seeds matter), AdamW with warmup and cosine
 * decay (so the updater state and the step count must survive), averaging every 2 steps, 2 epochs (so the
 * per-epoch order must too). Exact: the parameters are compared bit for bit.
 */
class TrainResumeTest {
    @TempDir
    static Path dir;
    private static SparkSession spark;
    private static String dataset;
    private static INDArray unbroken;

    @BeforeAll
    static void unbrokenRun() throws Exception {
        spark = TrainTestSupport.spark("local[2]");
        dataset = TinyCorpus.shared(spark);
        unbroken = new TrainJob(spark, run("unbroken")).run(false).model().params().dup();
    }

    /** The session with {@code master}, replacing the active one if it has another master. */
    private static SparkSession session(String master) {
        if (!spark.sparkContext().master().equals(master)) {
            spark.stop();
            spark = TrainTestSupport.spark(master);
        }
        return spark;
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Config run(String name) {
        return TrainTestSupport.run("clip", dataset, dir.resolve(name), "chorus.model.dropout=0.1",
                "chorus.train.batch-size=4", "chorus.train.averaging-frequency=2", "chorus.train.epochs=2",
                "chorus.train.optimizer.warmup-steps=3", "chorus.train.optimizer.learning-rate=3e-3",
                "chorus.train.checkpoint.every-rounds=1");
    }

    @Test
    void aRunKilledInRoundFourAndResumedEndsWhereTheUnbrokenRunEnds() throws Exception {
        Config run = run("killed");
        SparkSession spark = session("local[2]");
        // local[2] allows no task retries: the injected failure kills the job, as a lost driver would.
        Exception killed = assertThrows(Exception.class, () -> new TrainJob(spark, run).run(false, 4));
        assertTrue(killed instanceof SparkException || killed.getCause() instanceof SparkException, killed.toString());
        Path checkpoints = dir.resolve("killed/checkpoints");
        assertTrue(Files.isRegularFile(checkpoints.resolve("round-00000004/state.json")), "checkpoint of round 4");

        ParameterAveragingTrainer.Result resumed = new TrainJob(spark, run).run(true);
        assertArrayEquals(unbroken.toFloatVector(), resumed.model().params().toFloatVector(),
                "resumed parameters equal the unbroken run's, bit for bit");

        List<Integer> rounds = Files.readAllLines(dir.resolve("killed/metrics.jsonl")).stream()
                .map(line -> readRound(line)).collect(Collectors.toList());
        assertEquals(java.util.stream.IntStream.range(0, rounds.size()).boxed().collect(Collectors.toList()), rounds,
                "metrics hold every round once, in order");
        assertEquals(resumed.state().round(), rounds.size());
    }

    @Test
    void resumingWithOtherSettingsIsRefused() {
        Config first = run("changed");
        SparkSession spark = session("local[2]");
        new TrainJob(spark, first).run(false);
        Config changed = TrainTestSupport.run("clip", dataset, dir.resolve("changed"), "chorus.model.dropout=0.1",
                "chorus.train.batch-size=4", "chorus.train.averaging-frequency=2", "chorus.train.epochs=2",
                "chorus.train.optimizer.warmup-steps=3", "chorus.train.optimizer.learning-rate=1e-3",
                "chorus.train.checkpoint.every-rounds=1");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TrainJob(spark, changed).run(true));
        assertTrue(e.getMessage().contains("other settings"), e.getMessage());
    }

    @Test
    void aFailedTaskIsRetriedBySparkAndChangesNothing() {
        SparkSession spark = session("local[2,4]"); // up to 4 attempts per task, as on a cluster
        ParameterAveragingTrainer.Result retried = new TrainJob(spark, run("retried")).run(false, 2);
        assertArrayEquals(unbroken.toFloatVector(), retried.model().params().toFloatVector(),
                "a retried task gives the same parameters");
    }

    private static int readRound(String line) {
        try {
            return new ObjectMapper().readTree(line).path("round").asInt();
        } catch (Exception e) {
            throw new IllegalStateException(line, e);
        }
    }
}
