package ai.chorus.cli;

import com.typesafe.config.Config;
import org.apache.hadoop.conf.Configuration;

/**
 * A Hadoop configuration from Chorus configuration, for commands that reach a Hadoop filesystem without a Spark
 * session: the {@code chorus.spark.conf} entries {@code "spark.hadoop.X"} become {@code X}, as Spark itself copies
 * them into its Hadoop configuration, so one storage file (e.g. conf/storage/s3a.conf) serves every command.
 */
public final class HadoopConfs {
    private static final String PREFIX = "spark.hadoop.";

    private HadoopConfs() {
    }

    public static Configuration from(Config config) {
        Configuration hadoop = new Configuration();
        SparkSessions.sparkConf(config).forEach((key, value) -> {
            if (key.startsWith(PREFIX)) {
                hadoop.set(key.substring(PREFIX.length()), value);
            }
        });
        return hadoop;
    }
}
