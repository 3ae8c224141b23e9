package ai.chorus.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the Spark session from configuration. A master chosen by spark-submit (or {@code -Dspark.master})
 * wins; otherwise {@code chorus.spark.master}, {@code local[*]} by default: the embedded Spark.
 */
public final class SparkSessions {
    private SparkSessions() {
    }

    public static SparkSession create(Config config) {
        SparkConf conf = new SparkConf();
        if (!conf.contains("spark.master")) {
            conf.setMaster(config.getString("chorus.spark.master"));
            // An embedded run has no one to look at the web UI; it only costs start-up time and a port.
            conf.setIfMissing("spark.ui.enabled", "false");
        }
        conf.setIfMissing("spark.app.name", config.getString("chorus.spark.app-name"));
        sparkConf(config).forEach(conf::set);
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /** The {@code chorus.spark.conf} settings as Spark keys (HOCON's quotes of dotted keys removed) and values. */
    public static Map<String, String> sparkConf(Config config) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigValue> e : config.getConfig("chorus.spark.conf").entrySet()) {
            settings.put(e.getKey().replace("\"", ""), String.valueOf(e.getValue().unwrapped()));
        }
        return settings;
    }

    /** What a command does with a session. */
    @FunctionalInterface
    public interface Work<T> {
        T run(SparkSession spark) throws Exception;
    }

    /**
     * Runs {@code work} in a session from {@code config} and stops the session afterwards, also when the work fails:
     * every command that needs Spark owns its session for exactly its own run.
     */
    public static <T> T run(Config config, Work<T> work) throws Exception {
        SparkSession spark = create(config);
        try {
            return work.run(spark);
        } finally {
            spark.stop();
        }
    }
}
