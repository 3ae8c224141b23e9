package ai.chorus.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A training run's {@code metrics.jsonl}: one round per line (round, epoch, step, samples_seen, loss, learning_rate,
 * samples_per_second, the seconds split, workers, and on some lines val_loss and validation recall or accuracy).
 */
public record TrainingRun(Path file, List<Round> rounds) {

    public TrainingRun {
        rounds = List.copyOf(rounds);
    }

    /** One line's numeric fields, in file order. */
    public record Round(Map<String, Double> values) {
        public Round {
            values = Map.copyOf(values);
        }

        /** The value, or NaN when this line does not have it. */
        public double value(String name) {
            return values.getOrDefault(name, Double.NaN);
        }

        public boolean has(String name) {
            return values.containsKey(name);
        }

        /** The x of the curves: the global step; runs without one fall back to the round number. */
        public double step() {
            return has("step") ? value("step") : value("round");
        }
    }

    public Round last() {
        return rounds.get(rounds.size() - 1);
    }

    /** The validation fields (val_*) any line has, in the order they first appear. */
    public List<String> validationFields() {
        Set<String> names = new LinkedHashSet<>();
        for (Round r : rounds) {
            r.values().keySet().stream().filter(k -> k.startsWith("val_")).sorted().forEach(names::add);
        }
        return new ArrayList<>(names);
    }

    /** Sum of a per-round field over all rounds that have it (e.g. compute_seconds). */
    public double total(String name) {
        return rounds.stream().filter(r -> r.has(name)).mapToDouble(r -> r.value(name)).sum();
    }

    public double mean(String name) {
        return rounds.stream().filter(r -> r.has(name)).mapToDouble(r -> r.value(name)).average().orElse(Double.NaN);
    }
}
