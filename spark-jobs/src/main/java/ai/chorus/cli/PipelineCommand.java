package ai.chorus.cli;

import ai.chorus.config.ConfigValues;
import ai.chorus.eval.EvalJob;
import ai.chorus.eval.EvalOptions;
import ai.chorus.prep.PrepareJob;
import ai.chorus.prep.PrepareOptions;
import ai.chorus.prep.output.DatasetFolder;
import ai.chorus.report.ReportWriter;
import ai.chorus.train.TrainJob;
import ai.chorus.train.TrainOptions;
import ai.chorus.train.TrainedRun;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "pipeline", mixinStandardHelpOptions = true,
        description = {"prepare -> train -> eval -> report in one command, e.g. -c conf/pipeline/emoji-clip.conf.",
                "Each step is skipped when its output is already there for the same settings (a finished dataset,",
                "a trained model with the same run.conf, evaluation results with the same hash); a killed training",
                "resumes from its newest checkpoint. Prints the path of the report."})
final class PipelineCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineCommand.class);

    @Mixin
    ConfigOptions config;

    @Option(names = "--force", description = "Redo every step, even those whose output exists.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Config conf = config.load();
        // Every step's settings are checked before the first one starts.
        PrepareOptions prepare = PrepareOptions.fromConfig(conf);
        TrainOptions train = TrainOptions.fromConfig(conf);
        EvalOptions eval = EvalOptions.fromConfig(conf);
        String output = ConfigValues.requiredString(conf, "chorus.pipeline.output", "the pipeline's folder");
        Map<String, Double> seconds = new LinkedHashMap<>();
        Path report = SparkSessions.run(conf, spark -> {
            timed(seconds, "prepare", () -> prepare(spark, prepare));
            timed(seconds, "train", () -> train(spark, conf, train));
            timed(seconds, "eval", () -> EvalCommand.print(new EvalJob(spark, eval).run(force)));
            Path[] written = new Path[1];
            timed(seconds, "report", () -> written[0] = ReportWriter.write(local(train.output()), local(eval.output()),
                    local(output).resolve("report"), conf.getString("chorus.pipeline.title")));
            return written[0];
        });
        StringBuilder times = new StringBuilder();
        seconds.forEach((step, s) -> times.append(String.format(Locale.ROOT, "%s %.0f s, ", step, s)));
        System.out.println("pipeline: " + times.substring(0, times.length() - 2));
        System.out.println("report: " + report);
        return 0;
    }

    private void prepare(SparkSession spark, PrepareOptions options) {
        DatasetFolder dataset = new DatasetFolder(options.outputPath(), spark.sparkContext().hadoopConfiguration());
        if (!force && dataset.isComplete()) {
            LOG.info("prepare: {} is a finished dataset: reused (--force prepares it again)", dataset.root());
            return;
        }
        new PrepareJob(spark, options, 10_000).run();
    }

    private void train(SparkSession spark, Config conf, TrainOptions options) {
        if (!force && TrainedRun.isFinished(spark, options.output(), conf)) {
            LOG.info("train: {} holds a model trained with these settings: reused (--force trains again)", options.output());
            return;
        }
        // A run killed midway goes on from its newest checkpoint; with no checkpoint, resuming starts afresh.
        new TrainJob(spark, conf).run(!force);
    }

    /** The report is written with java.nio: the pipeline's folders are local (a path or a file: URI). */
    private static Path local(String path) {
        return path.startsWith("file:") ? Path.of(URI.create(path)) : Path.of(path);
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void timed(Map<String, Double> seconds, String name, Step step) throws Exception {
        long t0 = System.nanoTime();
        LOG.info("pipeline: {} ...", name);
        step.run();
        seconds.put(name, (System.nanoTime() - t0) / 1e9);
    }
}
