package ai.chorus.bench;


import java.io.PrintStream;
import java.util.Locale;

/** A {@link TrainBenchmark.Report} as a table for people ({@link ReportJson} writes it for tools). */
public final class BenchReport {

    private BenchReport() {
    }

    public static void print(TrainBenchmark.Report report, PrintStream out) {
        TrainBenchmark.Machine m = report.machine();
        out.println();
        String omp = m.ompNumThreads() == null ? "unset" : m.ompNumThreads();
        out.printf(Locale.ROOT, "Machine: %d cores, OMP_NUM_THREADS=%s, %s, BLAS %s, Java %s; load average %.2f at "
                + "start, %.2f at end%n", m.cores(), omp, m.nd4jBackend(), m.blas(), m.java(), m.loadAverageStart(),
                m.loadAverageEnd());
        StringBuilder gemm = new StringBuilder();
        for (GemmPeak.Size s : report.gemm().sizes()) {
            gemm.append(String.format(Locale.ROOT, "%d^3 %.1f GFLOP/s; ", s.n(), s.gflops()));
        }
        out.printf(Locale.ROOT, "GEMM peak (Nd4j.gemm, float32, best of %d): %speak %.1f GFLOP/s%n",
                report.gemm().repeats(), gemm, report.gemm().peakGflops());
        TrainBenchmark.Settings s = report.settings();
        out.printf(Locale.ROOT, "Size %s, batch %d, %d measured steps after %d warm-up; step = %s%n", s.size(), s.batch(),
                s.steps(), s.warmup(), report.stepDefinition());
        out.println("FLOPs: " + report.flopConvention());
        out.println();
        String header = String.format(Locale.ROOT, "%-12s %8s %9s %13s %13s %9s %10s %10s %8s %7s %8s %11s %8s",
                "model", "params", "median ms", "p10-p90 ms", "min-max ms", "samples/s", "GFLOP/step", "MFLOP/samp",
                "GFLOP/s", "% peak", "heap MiB", "JavaCPP MiB", "RSS MiB");
        out.println(header);
        out.println("-".repeat(header.length()));
        for (TrainBenchmark.ModelResult r : report.models()) {
            StepTimes t = r.stepMs();
            out.printf(Locale.ROOT, "%-12s %8s %9.0f %13s %13s %9.1f %10.2f %10.1f %8.1f %6.1f%% %8.0f %11.0f %8.0f%n",
                    r.name(), millions(r.parameters()), t.median(), range(t.p10(), t.p90()), range(t.min(), t.max()),
                    r.samplesPerSecond(), r.flops().trainingPerStep() / 1e9, r.flops().trainingPerSample() / 1e6,
                    r.achievedGflops(), 100 * r.shareOfGemmPeak(), r.memory().heapUsedPeakMiB(),
                    r.memory().javacppPeakMiB(), r.memory().residentPeakMiB());
        }
        for (TrainBenchmark.ModelResult r : report.models()) {
            if (r.profile() != null) {
                printProfile(r, out);
            }
        }
    }

    private static void printProfile(TrainBenchmark.ModelResult r, PrintStream out) {
        OpProfile.Result p = r.profile();
        out.println();
        out.printf(Locale.ROOT, "%s: one profiled step %.0f ms; ND4J ops timed %.0f ms; untimed %.0f ms "
                + "(Java, allocation, GC)%n", r.name(), p.stepMs(), p.timedOpsMs(), p.untimedMs());
        out.printf(Locale.ROOT, "  %-28s %7s %10s %7s%n", "op", "calls", "ms", "% step");
        for (OpProfile.OpTime op : p.top()) {
            out.printf(Locale.ROOT, "  %-28s %7d %10.1f %6.1f%%%n", op.op(), op.calls(), op.ms(),
                    100 * op.ms() / p.stepMs());
        }
    }

    private static String millions(long n) {
        return String.format(Locale.ROOT, "%.2fM", n / 1e6);
    }

    private static String range(double lo, double hi) {
        return String.format(Locale.ROOT, "%.0f-%.0f", lo, hi);
    }
}
