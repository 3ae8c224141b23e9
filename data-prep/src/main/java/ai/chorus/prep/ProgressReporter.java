package ai.chorus.prep;

import org.apache.spark.SparkContext;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;

/**
 * Logs a long job's progress from the driver: rows done of the total, rate, ETA and counts by outcome.
 * Accumulators reach the driver as tasks finish, so progress moves one task (one shard of rows) at a time.
 */
public final class ProgressReporter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);

    private final String what;
    private final long total;
    private final LongAccumulator ok;
    private final LongAccumulator rejected;
    private final long startNanos = System.nanoTime();
    private final Thread thread;
    private volatile boolean running = true;

    public ProgressReporter(SparkContext sc, String what, long total, long intervalMillis) {
        this.what = what;
        this.total = total;
        this.ok = sc.longAccumulator(what + ".ok");
        this.rejected = sc.longAccumulator(what + ".rejected");
        this.thread = new Thread(() -> {
            while (running) {
                try {
                    Thread.sleep(intervalMillis);
                } catch (InterruptedException e) {
                    return;
                }
                if (running) {
                    LOG.info(line());
                }
            }
        }, "chorus-progress");
        thread.setDaemon(true);
        thread.start();
    }

    public LongAccumulator ok() {
        return ok;
    }

    public LongAccumulator rejected() {
        return rejected;
    }

    public double elapsedSeconds() {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    String line() {
        long done = ok.value() + rejected.value();
        double seconds = elapsedSeconds();
        double rate = done / Math.max(seconds, 1e-9);
        String eta = done == 0 ? "?" : formatDuration((total - done) / Math.max(rate, 1e-9));
        return String.format(Locale.ROOT, "%s: %,d/%,d rows (%.1f%%) | %.1f rows/s | ok %,d, rejected %,d | elapsed %s, ETA %s",
                what, done, total, 100.0 * done / Math.max(total, 1), rate, ok.value(), rejected.value(),
                formatDuration(seconds), eta);
    }

    static String formatDuration(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : s >= 60 ? String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60) : s + "s";
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        LOG.info(line());
    }
}
