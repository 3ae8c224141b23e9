package ai.chorus.cli;

import ai.chorus.eval.EvalJob;
import ai.chorus.eval.EvalOptions;
import com.typesafe.config.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

@Command(name = "embed", mixinStandardHelpOptions = true,
        description = {"Embed a split of a prepared dataset with a trained model (chorus.eval.run, .dataset, .split),",
                "on Spark: writes <chorus.eval.output>/embeddings/<split>/ (Parquet: key, split, label, modality, caption,",
                "text, embedding; every caption its own row) and embeddings/<split>.json."})
final class EmbedCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--force", description = "Embed again even if the folder holds this model's embeddings of the split.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Config conf = config.load();
        EvalOptions options = EvalOptions.fromConfig(conf); // checked before Spark starts
        boolean written = SparkSessions.run(conf, spark -> new EvalJob(spark, options).embed(force));
        System.out.printf("embeddings: %s/embeddings/%s%s%n", options.output(), options.split(), written ? "" : " (already there; --force redoes them)");
        return 0;
    }
}
