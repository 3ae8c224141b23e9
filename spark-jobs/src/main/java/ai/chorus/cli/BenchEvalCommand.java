package ai.chorus.cli;

import ai.chorus.bench.EvalBenchmark;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "bench-eval", mixinStandardHelpOptions = true,
        description = "Benchmark retrieval evaluation: for each N, N random unit text and image embeddings, ranks both "
                + "ways (Recall@K, ranks, mAP) computed blockwise, timed against the floor of the same bare matrix "
                + "products in the same run, with heap and resident-memory peaks. Run it on an otherwise idle machine; "
                + "the table shows the load average.")
final class BenchEvalCommand implements Callable<Integer> {
    @Option(names = "--sizes", split = ",", defaultValue = "10000,30000,100000",
            description = "Embeddings per side (default ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--dim", defaultValue = "512", description = "Embedding dimension (default ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--block-mib", defaultValue = "64",
            description = "Score buffer per block in MiB: query rows x all candidates (default ${DEFAULT-VALUE}).")
    long blockMiB;

    @Option(names = "--repeats", defaultValue = "1",
            description = "Alternating floor/ranking runs per direction, best kept (default ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the embeddings (default ${DEFAULT-VALUE}).")
    long seed;

    @Mixin
    JsonReportOption json;

    @Override
    public Integer call() throws Exception {
        EvalBenchmark.Settings settings = new EvalBenchmark.Settings(List.copyOf(sizes), dim, blockMiB << 20, repeats, seed);
        EvalBenchmark.Report report = new EvalBenchmark(settings, System.out).run();
        EvalBenchmark.print(report, System.out);
        json.writeIfAsked(report, System.out);
        return 0;
    }
}
