package ai.chorus.train;

import ai.chorus.prep.io.HadoopFiles;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigRenderOptions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A finished training run read back: the settings it was trained with ({@code run.conf}, written by {@code chorus
 * train} after {@code model.zip}, so a run folder with a run.conf is finished), the model resolved against its training dataset (whose tokenizer and shapes the
 * model knows) and the trained parameters as bytes, ready to broadcast.
 */
public record TrainedRun(String folder, Config config, ResolvedModel model, byte[] modelZip) {
    public static final String SETTINGS = "run.conf";

    /** Writes the model and training settings of a run, so that later jobs need only the run folder. */
    static void writeSettings(SparkSession spark, String run, Config config) {
        Path path = new Path(run, SETTINGS);
        HadoopFiles.writeString(HadoopFiles.fileSystem(path, hadoop(spark)), path, settingsText(config));
    }

    static void deleteSettings(SparkSession spark, String run) {
        Path path = new Path(run, SETTINGS);
        HadoopFiles.delete(HadoopFiles.fileSystem(path, hadoop(spark)), path);
    }

    private static String settingsText(Config config) {
        return "# Written by chorus train: the settings model.zip was trained with.\n"
                + config.withOnlyPath("chorus.model").withFallback(config.withOnlyPath("chorus.train")).root()
                .render(ConfigRenderOptions.defaults().setOriginComments(false).setJson(false));
    }

    /** Whether {@code run} holds a final model trained with exactly these model and training settings. */
    public static boolean isFinished(SparkSession spark, String run, Config config) {
        Path settings = new Path(run, SETTINGS);
        FileSystem fs = HadoopFiles.fileSystem(settings, hadoop(spark));
        return HadoopFiles.exists(fs, new Path(run, TrainJob.FINAL_MODEL)) && HadoopFiles.exists(fs, settings)
                && HadoopFiles.readString(fs, settings).equals(settingsText(config));
    }

    public static TrainedRun open(SparkSession spark, String folder) {
        Config config = ConfigFactory.parseString(new String(readFinished(spark, folder, SETTINGS, "the run's settings"),
                StandardCharsets.UTF_8)).resolve();
        byte[] zip = readFinished(spark, folder, TrainJob.FINAL_MODEL, "the trained model");
        ResolvedModel model = ResolvedModel.resolve(spark, config, config.getString("chorus.train.dataset"));
        return new TrainedRun(folder, config, model, zip);
    }

    public String modelName() {
        return config.getString("chorus.model.name");
    }

    public String trainingDataset() {
        return config.getString("chorus.train.dataset");
    }

    /** SHA-256 of model.zip (16 hex digits): which parameters a result came from. */
    public String modelHash() {
        return sha256(modelZip);
    }

    public static ComputationGraph restore(byte[] modelZip) {
        try {
            return ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(modelZip), false);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a model.zip", e);
        }
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readFinished(SparkSession spark, String run, String name, String what) {
        Path path = new Path(run, name);
        FileSystem fs = HadoopFiles.fileSystem(path, hadoop(spark));
        if (!HadoopFiles.exists(fs, path)) {
            throw new IllegalArgumentException(path + " (" + what + ") does not exist: is " + run
                    + " the folder of a finished `chorus train` run?");
        }
        return HadoopFiles.readBytes(fs, path);
    }

    private static Configuration hadoop(SparkSession spark) {
        return spark.sparkContext().hadoopConfiguration();
    }
}
