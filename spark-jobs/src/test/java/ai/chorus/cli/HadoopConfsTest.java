package ai.chorus.cli;

import ai.chorus.config.ChorusConfig;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The Hadoop configuration of commands without Spark: chorus.spark.conf's spark.hadoop.* settings, prefix dropped. */
class HadoopConfsTest {
    @Test
    void takesTheSparkHadoopSettingsWithoutTheirPrefix() {
        Configuration hadoop = HadoopConfs.from(ChorusConfig.load(List.of(), List.of(
                "chorus.spark.conf.\"spark.hadoop.fs.s3a.endpoint\"=\"http://127.0.0.1:9000\"",
                "chorus.spark.conf.\"spark.hadoop.fs.s3a.path.style.access\"=true",
                "chorus.spark.conf.\"spark.sql.shuffle.partitions\"=4")));
        assertEquals("http://127.0.0.1:9000", hadoop.get("fs.s3a.endpoint"));
        assertEquals("true", hadoop.get("fs.s3a.path.style.access"));
        assertNull(hadoop.get("spark.sql.shuffle.partitions"), "not a Hadoop setting");
        assertNull(hadoop.get("sql.shuffle.partitions"));
        assertNull(hadoop.get("spark.hadoop.fs.s3a.endpoint"), "the prefix is dropped");
    }
}
