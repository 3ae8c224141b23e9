package ai.chorus.bench;

import ai.chorus.eval.BlockwiseRanks;
import ai.chorus.eval.QueryRanks;
import ai.chorus.eval.Relevance;
import ai.chorus.eval.RetrievalMetrics;
import ai.chorus.eval.UnitRows;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;


import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Times retrieval evaluation (blockwise ranks, both ways) on N random unit embeddings per side, one caption per
 * image, against its floor: the same block products into the same buffers with no ranking, run in the same process
 * right before. Memory peaks are sampled during each run; the resident rise over the start of the run is the
 * working memory of the evaluation (the embeddings themselves were resident before).
 */
public final class EvalBenchmark {
    public record Settings(List<Integer> sizes, int dim, long blockBytes, int repeats, long seed) {
    }

    public record Direction(String name, String queries, String candidates, int blockRows, double blockMiB,
                            double seconds, double floorSeconds, double ratio, double cpuSeconds,
                            double floorCpuSeconds, double cpuRatio, double floorGflops,
                            MemoryPeaks.Peaks floorMemory, MemoryPeaks.Peaks memory, double residentRiseMiB,
                            double recallAt1, double recallAt10, double loadAverageAfter) {
    }

    public record SizeResult(int n, double embeddingsMiB, List<Direction> directions) {
    }

    public record Report(String command, String started, String floorDefinition, TrainBenchmark.Machine machine,
                         Settings settings, List<SizeResult> results) {
    }

    static final String FLOOR = "the same Nd4j.gemm block products (query rows x all candidates, float32) into the "
            + "same buffers, without ranking, measured in the same run";

    private final Settings settings;
    private final PrintStream log;

    public EvalBenchmark(Settings settings, PrintStream log) {
        for (int n : settings.sizes()) {
            if (n < 1) {
                throw new IllegalArgumentException("sizes must be positive, got " + n);
            }
        }
        if (settings.dim() < 1 || settings.blockBytes() < 1 || settings.repeats() < 1) {
            throw new IllegalArgumentException("dimension, block size and repeats must be positive");
        }
        this.settings = settings;
        this.log = log;
    }

    public Report run() {
        String started = Instant.now().toString();
        double loadStart = loadAverage();
        BlockwiseRanks engine = new BlockwiseRanks(settings.blockBytes());
        warmUp(engine);
        List<SizeResult> results = new ArrayList<>();
        for (int n : settings.sizes()) {
            INDArray images = UnitRows.random(n, settings.dim(), settings.seed());
            INDArray texts = UnitRows.random(n, settings.dim(), settings.seed() + 1);
            int[] one = identity(n);
            List<Direction> directions = List.of(
                    direction("image_retrieval", "texts", "images", engine, texts, images,
                            Relevance.textToImage(one, n)),
                    direction("text_retrieval", "images", "texts", engine, images, texts,
                            Relevance.imageToText(one, n)));
            results.add(new SizeResult(n, 2.0 * n * settings.dim() * Float.BYTES / (1 << 20), directions));
            images.close();
            texts.close();
            System.gc();
        }
        TrainBenchmark.Machine machine = new TrainBenchmark.Machine(Runtime.getRuntime().availableProcessors(),
                System.getenv("OMP_NUM_THREADS"), Runtime.version().toString(),
                Nd4j.getBackend().getClass().getSimpleName(), String.valueOf(Nd4j.factory().blas().getBlasVendor()),
                loadStart, loadAverage());
        return new Report("bench-eval", started, FLOOR, machine, settings, List.copyOf(results));
    }

    private Direction direction(String name, String queryKind, String candidateKind, BlockwiseRanks engine,
                                INDArray queries, INDArray candidates, Relevance relevance) {
        long nq = queries.rows();
        long nc = candidates.rows();
        int rows = engine.blockRows(nq, nc);
        Timing floor = Timing.NONE;
        Timing eval = Timing.NONE;
        MemoryPeaks.Peaks floorMemory = null;
        MemoryPeaks.Peaks memory = null;
        double residentRise = 0;
        QueryRanks ranks = null;
        // Floor and ranking alternate, best of the repeats: on a shared machine one slow run says little.
        for (int r = 0; r < settings.repeats(); r++) {
            Timing floorRun;
            Timing evalRun;
            try (MemoryPeaks peaks = new MemoryPeaks()) {
                floorRun = Timing.of(() -> engine.productsOnly(queries, candidates));
                floorMemory = closed(peaks);
                floor = floor.best(floorRun);
            }
            double residentBefore = Pointer.physicalBytes() / (1024.0 * 1024.0);
            QueryRanks[] out = new QueryRanks[1];
            try (MemoryPeaks peaks = new MemoryPeaks()) {
                evalRun = Timing.of(() -> out[0] = engine.ranks(queries, candidates, relevance));
                memory = closed(peaks);
                eval = eval.best(evalRun);
            }
            ranks = out[0];
            residentRise = Math.max(residentRise, memory.residentPeakMiB() - residentBefore);
            log.printf(Locale.ROOT, "N=%d %s run %d: floor %.2f s (cpu %.2f s), ranking %.2f s (cpu %.2f s)%n", nq,
                    name, r + 1, floorRun.seconds(), floorRun.cpuSeconds(), evalRun.seconds(), evalRun.cpuSeconds());
        }
        double flops = 2.0 * nq * nc * queries.columns();
        return new Direction(name, queryKind, candidateKind, rows, (double) rows * nc * Float.BYTES / (1 << 20),
                eval.seconds(), floor.seconds(), eval.seconds() / floor.seconds(), eval.cpuSeconds(),
                floor.cpuSeconds(), eval.cpuSeconds() / floor.cpuSeconds(), flops / floor.seconds() / 1e9, floorMemory,
                memory, residentRise, RetrievalMetrics.recallAt(ranks, 1), RetrievalMetrics.recallAt(ranks, 10),
                loadAverage());
    }

    /** Wall time and the process' CPU time (all threads, BLAS included): the latter is steadier under others' load. */
    record Timing(double seconds, double cpuSeconds) {
        static final Timing NONE = new Timing(Double.MAX_VALUE, Double.MAX_VALUE);

        static Timing of(Runnable work) {
            long cpu = processCpuNanos();
            long wall = System.nanoTime();
            work.run();
            return new Timing((System.nanoTime() - wall) / 1e9, (processCpuNanos() - cpu) / 1e9);
        }

        Timing best(Timing other) {
            return new Timing(Math.min(seconds, other.seconds), Math.min(cpuSeconds, other.cpuSeconds));
        }

        private static long processCpuNanos() {
            return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
        }
    }

    private static MemoryPeaks.Peaks closed(MemoryPeaks peaks) {
        peaks.close(); // stop sampling and take the last sample before reading
        return peaks.peaks();
    }

    /** JIT and BLAS warm-up on a small slice, so the first measured size is not charged for it. */
    private void warmUp(BlockwiseRanks engine) {
        int n = 512;
        INDArray a = UnitRows.random(n, settings.dim(), settings.seed() + 2);
        for (int i = 0; i < 3; i++) {
            engine.productsOnly(a, a);
            engine.ranks(a, a, Relevance.textToImage(identity(n), n));
        }
        a.close();
    }

    private static int[] identity(int n) {
        int[] ids = new int[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        return ids;
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    public static void print(Report report, PrintStream out) {
        TrainBenchmark.Machine m = report.machine();
        out.println();
        out.printf(Locale.ROOT, "Machine: %d cores, OMP_NUM_THREADS=%s, %s, BLAS %s, Java %s; load average %.2f at "
                        + "start, %.2f at end%n", m.cores(), m.ompNumThreads() == null ? "unset" : m.ompNumThreads(),
                m.nd4jBackend(), m.blas(), m.java(), m.loadAverageStart(), m.loadAverageEnd());
        out.printf(Locale.ROOT, "Random unit embeddings, dimension %d, one caption per image; score block budget "
                + "%.0f MiB%nFloor: %s%n%n", report.settings().dim(), report.settings().blockBytes() / (1024.0 * 1024),
                report.floorDefinition());
        String header = String.format(Locale.ROOT, "%8s %-16s %6s %8s %9s %9s %6s %9s %9s %6s %8s %9s %9s %9s %6s",
                "N", "direction", "rows", "blockMiB", "seconds", "floor s", "ratio", "cpu s", "floor cpu", "ratio",
                "GFLOP/s", "heap MiB", "RSS MiB", "RSS rise", "load");
        out.println(header);
        out.println("-".repeat(header.length()));
        for (SizeResult s : report.results()) {
            for (Direction d : s.directions()) {
                out.printf(Locale.ROOT, "%8d %-16s %6d %8.0f %9.2f %9.2f %6.2f %9.2f %9.2f %6.2f %8.1f %9.0f %9.0f %9.0f %6.2f%n",
                        s.n(), d.name(), d.blockRows(), d.blockMiB(), d.seconds(), d.floorSeconds(), d.ratio(),
                        d.cpuSeconds(), d.floorCpuSeconds(), d.cpuRatio(), d.floorGflops(), d.memory().heapUsedPeakMiB(), d.memory().residentPeakMiB(),
                        d.residentRiseMiB(), d.loadAverageAfter());
            }
        }
        out.println();
        out.printf(Locale.ROOT, "Best of %d alternating runs each. ratio = seconds / floor s (target <= 2), also in "
                + "process CPU seconds (all threads); GFLOP/s of the floor; RSS rise = resident peak during ranking "
                + "minus resident memory before it (the evaluation's working memory).%n", report.settings().repeats());
    }
}
