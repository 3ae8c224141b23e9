package ai.chorus.cli;

import ai.chorus.prep.PrepareJob;
import ai.chorus.prep.PrepareOptions;
import com.typesafe.config.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "prepare", mixinStandardHelpOptions = true,
        description = {"Turn a corpus (manifest + media files) into a prepared dataset: samples/ and rejects/ Parquet,",
                "tokenizer.json and dataset.json, in chorus.prep.output.path.",
                "Every input row ends up in samples/ or in rejects/ (with stage, error class and message)."})
final class PrepareCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--retry-rejects", description = "Process only the rows in rejects/ again and merge the result.")
    boolean retryRejects;

    @Option(names = "--progress-seconds", defaultValue = "10", description = "Seconds between progress lines (default ${DEFAULT-VALUE}).")
    double progressSeconds;

    @Override
    public Integer call() throws Exception {
        Config conf = config.load();
        PrepareOptions options = PrepareOptions.fromConfig(conf);
        PrepareJob.Result result = SparkSessions.run(conf, spark -> {
            PrepareJob job = new PrepareJob(spark, options, (long) (progressSeconds * 1000));
            return retryRejects ? job.retryRejects() : job.run();
        });
        System.out.println("dataset: " + result.dataset());
        return 0;
    }
}
