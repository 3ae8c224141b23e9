package ai.chorus.cli;

import ai.chorus.bench.SparkTrainBenchmark;
import ai.chorus.bench.SparkTrainReport;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = SparkTrainBenchmark.COMMAND, mixinStandardHelpOptions = true,
        description = "Benchmark what parameter averaging on Spark costs: samples/s of a plain single-process DL4J "
                + "fit (no Spark), then of chorus train's trainer with 1 and 2 workers (local[1], local[2]) at each "
                + "averaging frequency, on the same data, with the trainer's time split (compute, broadcast, aggregate) "
                + "and the overhead over the plain fit for the same samples. Takes the model file(s) and chorus.train.* "
                + "settings of `chorus train`; the dataset defaults to the emoji demo dataset. The table says how to "
                + "read it; the machine's load average is in it.")
final class BenchSparkTrainCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--steps", paramLabel = "N", defaultValue = "5",
            description = "Measured steps per worker, a multiple of every frequency (default ${DEFAULT-VALUE}; every run "
                    + "must fit one epoch: the emoji dataset at batch 64 has 13 steps per epoch for 2 workers).")
    int steps;

    @Option(names = "--frequencies", paramLabel = "F", split = ",", defaultValue = "1,5",
            description = "Averaging frequencies to run (default ${DEFAULT-VALUE}).")
    List<Integer> frequencies;

    @Option(names = "--workers", paramLabel = "W", split = ",", defaultValue = "1,2",
            description = "Numbers of workers, one Spark session each (default ${DEFAULT-VALUE}).")
    List<Integer> workers;

    @Option(names = "--warmup-rounds", paramLabel = "R", defaultValue = "1",
            description = "Unmeasured first rounds of every Spark run (default ${DEFAULT-VALUE}).")
    int warmupRounds;

    @Option(names = "--master", paramLabel = "MASTER", defaultValue = "local[{workers}]",
            description = "Spark master per number of workers; {workers} is replaced (default ${DEFAULT-VALUE}), e.g. "
                    + "spark://127.0.0.1:7077 for a local standalone cluster. A master set by spark-submit wins.")
    String master;

    @Option(names = "--runs-dir", paramLabel = "DIR",
            description = "Keep the run folders (metrics.jsonl, last checkpoint) here; default: a temporary folder, "
                    + "deleted at the end.")
    Path runsDir;

    @Mixin
    JsonReportOption json;

    @Override
    public Integer call() throws Exception {
        Config conf = config.load();
        if (!conf.hasPath("chorus.train.dataset")) {
            String emoji = Path.of(conf.getString("chorus.data-dir"), "datasets", "emoji").toString();
            conf = conf.withValue("chorus.train.dataset", ConfigValueFactory.fromAnyRef(emoji));
        }
        SparkTrainBenchmark.Settings settings = new SparkTrainBenchmark.Settings(steps, frequencies, workers,
                warmupRounds, master);
        Path runs = runsDir != null ? Files.createDirectories(runsDir) : Files.createTempDirectory("chorus-bench-spark");
        try {
            Config base = conf;
            SparkTrainBenchmark.Report report = new SparkTrainBenchmark(settings, runs, System.out).run(conf,
                    w -> SparkSessions.create(base.withValue("chorus.spark.master",
                            ConfigValueFactory.fromAnyRef(settings.master(w)))));
            SparkTrainReport.print(report, System.out);
            json.writeIfAsked(report, System.out);
            return 0;
        } finally {
            if (runsDir == null) {
                Folders.deleteTree(runs);
            }
        }
    }
}
