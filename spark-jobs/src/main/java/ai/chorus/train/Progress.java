package ai.chorus.train;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The driver's progress line: rounds and steps done, loss, samples/s, where the time goes, and an ETA. */
final class Progress {
    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
    private final long totalRounds;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private long lastLog;
    private long firstRound = -1;

    Progress(long totalRounds, double intervalSeconds) {
        this.totalRounds = totalRounds;
        this.intervalNanos = (long) (intervalSeconds * 1e9);
        this.lastLog = start;
    }

    void round(int roundsDone, long step, long totalSteps, long samplesSeen, JsonNode m) {
        if (firstRound < 0) {
            firstRound = roundsDone - 1; // a resumed run's rate counts its own rounds only
        }
        long now = System.nanoTime();
        boolean last = step >= totalSteps;
        if (now - lastLog < intervalNanos && !last && roundsDone - firstRound > 1) {
            return;
        }
        lastLog = now;
        double elapsed = (now - start) / 1e9;
        double perRound = elapsed / (roundsDone - firstRound);
        double eta = perRound * Math.max(0, totalRounds - roundsDone);
        LOG.info(String.format("round %d/%d step %d/%d | loss %.4f lr %.3g | %.1f samples/s | compute %.1fs broadcast %.2fs"
                        + " aggregate %.2fs | %d samples seen | elapsed %s, ETA %s%s",
                roundsDone, totalRounds, step, totalSteps, m.path("loss").asDouble(), m.path("learning_rate").asDouble(),
                m.path("samples_per_second").asDouble(), m.path("compute_seconds").asDouble(),
                m.path("broadcast_seconds").asDouble(), m.path("aggregate_seconds").asDouble(), samplesSeen,
                clock(elapsed), clock(eta),
                m.has("val_loss") ? String.format(" | val loss %.4f", m.path("val_loss").asDouble()) : ""));
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%dh%02dm%02ds", s / 3600, s / 60 % 60, s % 60)
                : String.format("%dm%02ds", s / 60, s % 60);
    }
}
