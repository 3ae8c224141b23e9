package ai.chorus.bench;


import java.io.PrintStream;
import java.util.Locale;

/** A {@link SparkTrainBenchmark.Report} as a table with its reading notes ({@link ReportJson} writes it for tools). */
public final class SparkTrainReport {
    private static final int NOTE_WIDTH = 110;

    private SparkTrainReport() {
    }

    public static void print(SparkTrainBenchmark.Report report, PrintStream out) {
        TrainBenchmark.Machine m = report.machine();
        SparkTrainBenchmark.Settings s = report.settings();
        PlainBaseline.Result p = report.plain();
        out.println();
        out.printf(Locale.ROOT, "Spark parameter averaging vs plain DL4J fit: %s (size %s), %s, batch %d per worker, "
                        + "%d measured steps per worker after %d warm-up round(s)%n", report.model(), report.size(),
                report.optimizer(), report.batchSize(), s.steps(), s.warmupRounds());
        out.printf(Locale.ROOT, "Dataset %s (%d training samples); model %.2fM parameters%n", report.dataset(),
                report.trainSamples(), p.parameters() / 1e6);
        out.printf(Locale.ROOT, "Machine: %d cores, OMP_NUM_THREADS=%s, %s, BLAS %s, Java %s; load average %.2f at "
                        + "start, %.2f at end (a loaded machine slows every run: compare within this run only)%n",
                m.cores(), m.ompNumThreads() == null ? "unset" : m.ompNumThreads(), m.nd4jBackend(), m.blas(), m.java(),
                m.loadAverageStart(), m.loadAverageEnd());
        out.printf(Locale.ROOT, "Plain step: median %.0f ms (p10-p90 %.0f-%.0f; batch %.0f + fit %.0f ms); copying the "
                        + "state out of and into a graph (each worker, each round) %.0f ms%n", p.stepMs().median(),
                p.stepMs().p10(), p.stepMs().p90(), p.batchMs().median(), p.fitMs().median(), p.stateCopyMs());
        out.println();
        String header = String.format(Locale.ROOT, "%-16s %-10s %3s %6s %7s %7s %8s %9s %8s | %7s %7s %7s %7s | %8s "
                        + "%9s %8s %9s %10s %8s", "run", "master", "F", "rounds", "steps/w", "samples", "seconds",
                "samples/s", "per core", "compute", "bcast", "aggr", "other", "ms/step", "overhead", "slowdown",
                "non-comp", "same cores", "parts");
        out.println(header);
        out.println("-".repeat(header.length()));
        out.printf(Locale.ROOT, "%-16s %-10s %3s %6s %7d %7d %8.1f %9.2f %8.2f | %31s | %8.0f%n", "plain (no Spark)",
                "-", "-", "-", p.steps(), p.samples(), p.seconds(), p.samplesPerSecond(), p.samplesPerSecondPerCore(), "",
                p.stepMs().median());
        for (SparkTrainBenchmark.SparkRun r : report.spark()) {
            out.printf(Locale.ROOT, "%-16s %-10s %3d %6d %7d %7d %8.1f %9.2f %8.2f | %7s %7s %7s %7s | %8.0f %9s %7.2fx "
                            + "%9s %10s %8s%n", "spark " + r.workers() + (r.workers() == 1 ? " worker" : " workers"),
                    r.master(), r.averagingFrequency(), r.measuredRounds(), r.stepsPerWorker(), r.samples(),
                    r.seconds(), r.samplesPerSecond(), r.samplesPerSecondPerCore(), share(r.computeSeconds(), r),
                    share(r.broadcastSeconds(), r), share(r.aggregateSeconds(), r), share(r.otherSeconds(), r),
                    r.computeMsPerStep(), percent(r.overhead()), r.computeSlowdown(), percent(r.nonComputeOverhead()),
                    percent(r.sameCoresOverhead()), percent(r.partsOverhead()));
        }
        out.println();
        out.println("compute/bcast/aggr/other: shares of the measured rounds' time. ms/step: plain step, or a worker's "
                + "compute per step.");
        out.println("overhead: Spark seconds vs plain seconds for the same samples per worker; = (slowdown - 1) + "
                + "non-comp. same cores: vs plain fitting all workers' samples.");
        out.println("parts: non-comp + state copies per round only (no compute noise, no core sharing): the estimate "
                + "for workers with cores of their own.");
        if (report.target() != null) {
            SparkTrainBenchmark.Target t = report.target();
            for (SparkTrainBenchmark.TargetCheck c : t.checks()) {
                out.printf(Locale.ROOT, "Target at F = %d, overhead <= %.0f%%: %d worker(s) %s (same-cores overhead %s, "
                                + "per-worker overhead %s; parts %s)%n", t.averagingFrequency(), 100 * t.maxOverhead(),
                        c.workers(), c.met() ? "MET" : "NOT MET", percent(c.sameCoresOverhead()),
                        percent(c.overhead()), percent(c.partsOverhead()));
            }
        }
        out.println();
        for (String note : report.notes()) {
            out.println(wrap("- " + note));
        }
    }

    private static String share(double seconds, SparkTrainBenchmark.SparkRun r) {
        return String.format(Locale.ROOT, "%.0f%%", 100 * seconds / r.seconds());
    }

    private static String percent(double ratio) {
        return String.format(Locale.ROOT, "%+.1f%%", 100 * ratio);
    }

    private static String wrap(String text) {
        StringBuilder out = new StringBuilder();
        int lineStart = 0;
        for (String word : text.split(" ")) {
            if (out.length() - lineStart + word.length() + 1 > NOTE_WIDTH && out.length() > lineStart) {
                out.append("\n  ");
                lineStart = out.length() - 2;
            } else if (out.length() > 0) {
                out.append(' ');
            }
            out.append(word);
        }
        return out.toString();
    }
}
