package ai.chorus.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The trainer's own per-round timings ({@code <run>/metrics.jsonl}, written by {@code MetricsLog}), summed over the
 * rounds after the warm-up ones. The split is the trainer's: {@code compute} is the slowest worker's time in its
 * task (copying the broadcast state in, building batches, fitting, copying the state out); {@code broadcast} is
 * the driver's broadcast of parameters and updater state; {@code aggregate} is the rest of the Spark job (task
 * launch, reading the partition, shipping results, tree aggregation); {@code other} is what is left of the round
 * on the driver (dividing the sums, writing them into the master graph).
 */
public final class RoundMetrics {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Sums over a run of rounds; seconds are wall-clock seconds of the rounds. */
    public record Totals(int rounds, long stepsPerWorker, long samples, double seconds, double computeSeconds,
                         double broadcastSeconds, double aggregateSeconds) {
        public double otherSeconds() {
            return seconds - computeSeconds - broadcastSeconds - aggregateSeconds;
        }
    }

    /** The warm-up rounds (excluded from the measurement) and the measured ones. */
    public record Split(Totals warmup, Totals measured) {
    }

    private RoundMetrics() {
    }

    /** Reads {@code metrics.jsonl} of the run folder {@code runFolder} (a local path or {@code file:} URI). */
    public static Split read(String runFolder, int warmupRounds) {
        Path folder = runFolder.contains(":") ? Path.of(URI.create(runFolder)) : Path.of(runFolder);
        Path file = folder.resolve("metrics.jsonl");
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank()).toList();
            return split(lines, warmupRounds, file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    static Split split(List<String> lines, int warmupRounds, String source) throws IOException {
        if (lines.size() <= warmupRounds) {
            throw new IllegalStateException(source + " has " + lines.size() + " rounds, fewer than the " + warmupRounds
                    + " warm-up round(s) plus one measured round");
        }
        JsonNode[] rounds = new JsonNode[lines.size()];
        for (int i = 0; i < rounds.length; i++) {
            rounds[i] = JSON.readTree(lines.get(i));
        }
        return new Split(sum(rounds, 0, warmupRounds), sum(rounds, warmupRounds, rounds.length));
    }

    /** Rounds [from, to): steps and samples from the counters' differences, times summed. */
    private static Totals sum(JsonNode[] rounds, int from, int to) {
        long stepBefore = from == 0 ? 0 : rounds[from - 1].path("step").asLong();
        long samplesBefore = from == 0 ? 0 : rounds[from - 1].path("samples_seen").asLong();
        double seconds = 0;
        double compute = 0;
        double broadcast = 0;
        double aggregate = 0;
        for (int i = from; i < to; i++) {
            seconds += rounds[i].path("round_seconds").asDouble();
            compute += rounds[i].path("compute_seconds").asDouble();
            broadcast += rounds[i].path("broadcast_seconds").asDouble();
            aggregate += rounds[i].path("aggregate_seconds").asDouble();
        }
        long steps = to == 0 ? 0 : rounds[to - 1].path("step").asLong() - stepBefore;
        long samples = to == 0 ? 0 : rounds[to - 1].path("samples_seen").asLong() - samplesBefore;
        return new Totals(to - from, steps, samples, seconds, compute, broadcast, aggregate);
    }
}
