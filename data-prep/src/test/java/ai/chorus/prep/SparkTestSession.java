package ai.chorus.prep;

import org.apache.spark.sql.SparkSession;

/** One real local Spark session for a test class. */
public final class SparkTestSession {
    private SparkTestSession() {
    }

    public static SparkSession start() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("chorus-test")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }
}
