package ai.chorus.train;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelIO;
import ai.chorus.models.ModelRegistry;
import ai.chorus.models.encoders.AudioTower;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigRenderOptions;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * {@code chorus train}: a prepared dataset + a model file ({@code chorus.model}) + {@code chorus.train} settings →
 * a trained model in the run folder ({@code model.zip}, checkpoints, {@code metrics.jsonl}). Everything that can be
 * checked before training is (settings, the model against the dataset's shapes, the run folder being writable,
 * the batch against a worker's share, off-heap memory), so a bad run fails in seconds, not after the first round.
 */
public final class TrainJob {
    public static final String FINAL_MODEL = "model.zip";

    private final SparkSession spark;
    private final Config config;
    private final TrainOptions options;

    public TrainJob(SparkSession spark, Config config) {
        this.spark = spark;
        this.config = config;
        this.options = TrainOptions.fromConfig(config);
    }

    public TrainOptions options() {
        return options;
    }

    public ParameterAveragingTrainer.Result run(boolean resume) {
        return run(resume, -1);
    }

    /** What a run is made of, resolved and checked against the dataset; {@link #run} trains it. */
    public record Plan(ModelBuilder.BuiltModel model, SampleBatches batcher, JavaRDD<Row> train, int keyField,
                       List<Row> validation) {
    }

    public Plan plan() {
        ResolvedModel resolved = ResolvedModel.resolve(spark, config, options.dataset());
        ModelBuilder.BuiltModel built = resolved.built();
        Config model = config.getConfig("chorus.model");
        double smoothing = model.hasPath("label-smoothing") ? model.getDouble("label-smoothing") : 0;
        SampleBatches batcher = new SampleBatches(built.io(), resolved.shapes(), smoothing, resolved.classes(), options.seed());

        Dataset<Row> samples = spark.read().parquet(new Path(options.dataset(), "samples").toString());
        JavaRDD<Row> train = samples.filter(col("split").equalTo(options.split())).javaRDD();
        List<Row> validation = options.validationEveryRounds() > 0
                ? samples.filter(col("split").equalTo(options.validationSplit())).limit(options.validationMaxSamples())
                .collectAsList()
                : List.of();
        return new Plan(built, batcher, train, samples.schema().fieldIndex("key"), validation);
    }

    /** {@code injectFailureAtRound >= 0}: a test hook that fails one task attempt in that round. */
    public ParameterAveragingTrainer.Result run(boolean resume, int injectFailureAtRound) {
        Plan plan = plan();
        ParameterAveragingTrainer trainer = new ParameterAveragingTrainer(spark, options, plan.model().configuration(),
                plan.model().io(), plan.batcher(), config.getString("chorus.model.name"), configHash(config))
                .validateOn(plan.validation());
        if (injectFailureAtRound >= 0) {
            trainer.injectFailureAtRound(injectFailureAtRound);
        }
        ParameterAveragingTrainer.Result result = trainer.train(plan.train(), plan.keyField(), resume);
        // run.conf (what later jobs build the model from) goes last: it marks a finished run, with its model.zip.
        TrainedRun.deleteSettings(spark, options.output());
        writeFinalModel(result);
        TrainedRun.writeSettings(spark, options.output(), config);
        return result;
    }

    private void writeFinalModel(ParameterAveragingTrainer.Result result) {
        Path path = new Path(options.output(), FINAL_MODEL);
        try {
            FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
            try (FSDataOutputStream out = fs.create(path, true)) {
                ModelSerializer.writeModel(result.model(), out, true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + path, e);
        }
    }

    /**
     * SHA-256 over every setting that shapes the trajectory: the model, the dataset and the training settings
     * except where output goes, how often to checkpoint/validate/log, the memory limit and the threads per worker.
     */
    static String configHash(Config config) {
        Config train = config.getConfig("chorus.train").withoutPath("output").withoutPath("checkpoint")
                .withoutPath("validation").withoutPath("progress-seconds").withoutPath("off-heap-limit-bytes")
                .withoutPath("threads-per-worker");
        String text = config.getConfig("chorus.model").root().render(ConfigRenderOptions.concise()) + "\n"
                + train.root().render(ConfigRenderOptions.concise());
        return TrainedRun.sha256(text.getBytes(StandardCharsets.UTF_8));
    }
}
