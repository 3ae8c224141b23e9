package ai.chorus.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Training tasks run with ND4J's native pools limited, as ND4J itself reports inside each task (the metric
 * native_threads_per_worker is the largest of the OpenBLAS, libnd4j and OpenMP limits over the round's workers),
 * and the driver gets its defaults back when a local run ends. Two tiny CLIP runs of 2 rounds on local[2].
 */
class NativeThreadsTest {
    @TempDir
    static Path dir;
    private static SparkSession spark;
    private static String dataset;

    @BeforeAll
    static void corpus() throws Exception {
        spark = TrainTestSupport.spark("local[2]");
        dataset = TinyCorpus.shared(spark);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void autoGivesEachOfTwoWorkersOnLocal2OneThreadAndTheDriverGetsItsDefaultsBack() throws Exception {
        NativeThreads.Settings before = NativeThreads.current();
        // On one core every pool already has one thread and this run could not tell a limit from none.
        assertTrue(before.max() >= 2, "ND4J defaults on this machine: " + before);
        assertEquals(1, TaskThreads.resolve(0, spark.sparkContext(), 2));

        for (JsonNode round : train("auto")) {
            assertEquals(1, round.path("native_threads_per_worker").asInt(-1), round.toString());
        }
        assertEquals(before, NativeThreads.current(), "the driver's (this thread's) settings after a local run");
    }

    @Test
    void anExplicitValueReachesTheTasks() throws Exception {
        assertEquals(3, TaskThreads.resolve(3, spark.sparkContext(), 2));
        for (JsonNode round : train("explicit", "chorus.train.threads-per-worker=3")) {
            // OpenBLAS takes 3 even on fewer cores (libnd4j clamps its own pool to the cores): max() is 3.
            assertEquals(3, round.path("native_threads_per_worker").asInt(-1), round.toString());
        }
    }

    private static List<JsonNode> train(String name, String... overrides) throws Exception {
        String[] settings = TrainTestSupport.concat(new String[] {"chorus.train.batch-size=4", "chorus.train.max-steps=2",
                "chorus.train.averaging-frequency=1", "chorus.train.optimizer.warmup-steps=0"}, overrides);
        new TrainJob(spark, TrainTestSupport.run("clip", dataset, dir.resolve(name), settings)).run(false);
        List<JsonNode> rounds = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(name).resolve("metrics.jsonl"))) {
            rounds.add(new ObjectMapper().readTree(line));
        }
        assertEquals(2, rounds.size(), "rounds");
        return rounds;
    }
}
