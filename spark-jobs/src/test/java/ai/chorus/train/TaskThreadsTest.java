package ai.chorus.train;

import com.typesafe.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The auto rule for native threads per task, and chorus.train.threads-per-worker's validation. No Spark needed. */
class TaskThreadsTest {
    @Test
    void localModeSharesTheLocalThreadsAmongTheTasksThatRunAtOnce() {
        assertEquals(2, TaskThreads.auto("local[4]", 2, 1, 64), "local[4], 2 workers");
        assertEquals(1, TaskThreads.auto("local[2]", 2, 1, 64), "local[2], 2 workers");
        assertEquals(1, TaskThreads.auto("local[2]", 8, 1, 64), "more workers than threads: one each, never 0");
        assertEquals(4, TaskThreads.auto("local[4]", 1, 1, 64), "one worker takes all");
        assertEquals(3, TaskThreads.auto("local[7]", 2, 1, 64), "rounded down: 2 x 3 <= 7");
        assertEquals(1, TaskThreads.auto("local", 2, 1, 64), "plain local is one thread");
        assertEquals(2, TaskThreads.auto("local[4, 3]", 2, 1, 64), "local[N, maxFailures]");
        assertEquals(2, TaskThreads.auto("local[4]", 2, 3, 64), "spark.task.cpus does not apply in local mode");
    }

    @Test
    void localStarUsesThisMachinesCores() {
        assertEquals(4, TaskThreads.auto("local[*]", 2, 1, 8));
        assertEquals(3, TaskThreads.auto("local[*]", 2, 1, 6));
        assertEquals(1, TaskThreads.auto("local[*]", 2, 1, 2));
        assertEquals(1, TaskThreads.auto("local[*]", 2, 1, 1));
        assertEquals(2, TaskThreads.auto("local[*, 4]", 4, 1, 8));
    }

    @Test
    void aClusterGivesEachTaskItsSparkTaskCpus() {
        assertEquals(1, TaskThreads.auto("spark://host:7077", 2, 1, 2));
        assertEquals(4, TaskThreads.auto("yarn", 16, 4, 2), "the driver's own cores do not matter");
        assertEquals(2, TaskThreads.auto("k8s://https://api:6443", 2, 2, 64));
        assertEquals(3, TaskThreads.auto("local-cluster[2,3,1024]", 2, 3, 64), "local-cluster has executor JVMs");
    }

    @Test
    void theKnobDefaultsToAutoAndIsRead() {
        assertEquals(0, options().threadsPerWorker());
        assertEquals(3, options("chorus.train.threads-per-worker=3").threadsPerWorker());
    }

    @Test
    void badValuesNameTheKey() {
        ConfigException negative = assertThrows(ConfigException.class, () -> options("chorus.train.threads-per-worker=-1"));
        assertTrue(negative.getMessage().contains("chorus.train.threads-per-worker")
                && negative.getMessage().contains("between 0 and 1024"), negative.getMessage());
        ConfigException word = assertThrows(ConfigException.class, () -> options("chorus.train.threads-per-worker=many"));
        assertTrue(word.getMessage().contains("chorus.train.threads-per-worker")
                && word.getMessage().contains("an integer"), word.getMessage());
    }

    @Test
    void theThreadCountIsNotPartOfTheConfigHashSoAResumeMayChangeIt() {
        assertEquals(TrainJob.configHash(config()), TrainJob.configHash(config("chorus.train.threads-per-worker=2")));
    }

    private static com.typesafe.config.Config config(String... overrides) {
        return TrainTestSupport.run("clip", "/no/dataset", Path.of("/no/run"), overrides);
    }

    private static TrainOptions options(String... overrides) {
        return TrainOptions.fromConfig(config(overrides));
    }
}
