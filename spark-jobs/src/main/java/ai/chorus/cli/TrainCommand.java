package ai.chorus.cli;

import ai.chorus.train.ParameterAveragingTrainer;
import ai.chorus.train.TrainJob;
import com.typesafe.config.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model (chorus.model, e.g. -c conf/models/clip.conf) on a prepared dataset",
                "(chorus.train.dataset) by parameter averaging across Spark executors. Writes model.zip,",
                "checkpoints/ and metrics.jsonl into chorus.train.output."})
final class TrainCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--resume", description = "Continue from the newest complete checkpoint in chorus.train.output.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        Config conf = config.load();
        TrainJob job = new TrainJob(null, conf); // validates chorus.train before Spark starts
        ParameterAveragingTrainer.Result result = SparkSessions.run(conf,
                spark -> new TrainJob(spark, conf).run(resume));
        String loss = Double.isNaN(result.lastLoss()) ? "no round left to run (the checkpoint was the run's end)"
                : String.format("last loss %.4f", result.lastLoss());
        System.out.printf("trained: %d steps, %d samples seen, %s%nmodel: %s/%s%n", result.state().globalStep(),
                result.state().samplesSeen(), loss, job.options().output(), TrainJob.FINAL_MODEL);
        return 0;
    }
}
