package ai.chorus.train;

import com.typesafe.config.ConfigException;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad training settings fail before any training, with a message that names the setting. */
class TrainConfigErrorsTest {
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
    void aBatchLargerThanAWorkersShareIsRefused() {
        Path out = dir.resolve("big-batch");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainJob(spark,
                TrainTestSupport.run("clip", dataset, out, "chorus.train.batch-size=40")).run(false));
        assertTrue(e.getMessage().contains("chorus.train.batch-size = 40") && e.getMessage().contains("share"),
                e.getMessage());
        assertFalse(Files.exists(out.resolve("metrics.jsonl")), "no round ran");
    }

    @Test
    void anUnknownModelIsRefusedWithTheKnownOnes() {
        ConfigException e = assertThrows(ConfigException.class, () -> new TrainJob(spark,
                TrainTestSupport.run("clip", dataset, dir.resolve("nope"), "chorus.model.builder=clop")).run(false));
        assertTrue(e.getMessage().contains("chorus.model.builder") && e.getMessage().contains("clip"), e.getMessage());
    }

    @Test
    void anUnwritableRunFolderIsRefused() throws Exception {
        Path blocker = Files.writeString(dir.resolve("a-file"), "not a folder");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainJob(spark,
                TrainTestSupport.run("clip", dataset, blocker.resolve("run"))).run(false));
        assertTrue(e.getMessage().contains("chorus.train.output"), e.getMessage());
    }

    @Test
    void aModelThatCannotFitTheOffHeapLimitIsRefusedBeforeTraining() {
        Path out = dir.resolve("no-memory");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TrainJob(spark,
                TrainTestSupport.run("clip", dataset, out, "chorus.train.batch-size=8",
                        "chorus.train.off-heap-limit-bytes=100000")).run(false));
        assertTrue(e.getMessage().contains("does not fit the off-heap memory")
                && e.getMessage().contains("chorus.train.batch-size = 8"), e.getMessage());
        assertFalse(Files.exists(out.resolve("metrics.jsonl")), "no round ran");
    }

    @Test
    void badValuesNameTheKeyAndWhatWasExpected() {
        ConfigException e = assertThrows(ConfigException.class, () -> new TrainJob(spark,
                TrainTestSupport.run("clip", dataset, dir.resolve("x"), "chorus.train.averaging-frequency=0")));
        assertTrue(e.getMessage().contains("chorus.train.averaging-frequency") && e.getMessage().contains("at least 1"),
                e.getMessage());
        ConfigException opt = assertThrows(ConfigException.class, () -> new TrainJob(spark,
                TrainTestSupport.run("clip", dataset, dir.resolve("x"), "chorus.train.optimizer.name=lamb")));
        assertTrue(opt.getMessage().contains("adamw") && opt.getMessage().contains("lamb"), opt.getMessage());
    }
}
