package ai.chorus.cli;

import ai.chorus.eval.EvalJob;
import ai.chorus.eval.EvalOptions;
import com.typesafe.config.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate a trained run (chorus.eval.run) on a split of a prepared dataset: retrieval both ways",
                "for every modality pair (Recall@K, mean/median rank, mAP; CLIP_benchmark's names) and zero-shot",
                "classification of labelled samples. Writes <chorus.eval.output>/results/*.json, examples/ and media/;",
                "a rerun skips what is done for the same model, split and settings."})
final class EvalCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Option(names = "--force", description = "Redo embeddings and results even if they exist for these settings.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Config conf = config.load();
        EvalOptions options = EvalOptions.fromConfig(conf);
        EvalJob.Summary summary = SparkSessions.run(conf, spark -> new EvalJob(spark, options).run(force));
        print(summary);
        return 0;
    }

    static void print(EvalJob.Summary summary) {
        summary.results().forEach((name, r) -> {
            String done = summary.skipped().contains(name) ? ", done before" : "";
            System.out.println("== " + name + " (" + r.split() + done + ", " + r.sizes() + ")");
            r.metrics().forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-36s %.4f%n", k, v));
        });
        if (!summary.skipped().isEmpty()) {
            System.out.println("done before, not redone: " + String.join(", ", summary.skipped()) + " (--force redoes them)");
        }
        System.out.println("results: " + summary.folder() + "/results");
    }
}
