package ai.chorus.models.training;

import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.nd4j.linalg.schedule.ISchedule;

import java.util.Objects;

/**
 * open_clip's learning-rate schedule: linear warmup from 0 to {@code peak} over {@code warmupSteps}, then a cosine
 * decay to {@code peak * finalFraction} at {@code totalSteps} (constant after). {@code cosine = false} keeps the peak
 * after warmup. Steps are DL4J iterations (optimizer steps of one worker), which the trainer sets to the global
 * step before every round so that every worker and a resumed run see the same value.
 */
public final class WarmupCosineSchedule implements ISchedule {
    private final double peak;
    private final int warmupSteps;
    private final int totalSteps;
    private final double finalFraction;
    private final boolean cosine;

    public WarmupCosineSchedule(@JsonProperty("peak") double peak, @JsonProperty("warmupSteps") int warmupSteps,
                                @JsonProperty("totalSteps") int totalSteps,
                                @JsonProperty("finalFraction") double finalFraction,
                                @JsonProperty("cosine") boolean cosine) {
        if (!(peak > 0) || warmupSteps < 0 || totalSteps <= 0 || finalFraction < 0 || finalFraction > 1) {
            throw new IllegalArgumentException("bad schedule: peak " + peak + ", warmup " + warmupSteps + ", total "
                    + totalSteps + ", final fraction " + finalFraction);
        }
        this.peak = peak;
        this.warmupSteps = warmupSteps;
        this.totalSteps = totalSteps;
        this.finalFraction = finalFraction;
        this.cosine = cosine;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        if (iteration < warmupSteps) {
            return peak * (iteration + 1) / warmupSteps; // step 0 already moves: open_clip's (step + 1) / warmup
        }
        if (!cosine) {
            return peak;
        }
        int decaySteps = Math.max(1, totalSteps - warmupSteps);
        double progress = Math.min(1.0, (double) (iteration - warmupSteps) / decaySteps);
        double floor = peak * finalFraction;
        return floor + 0.5 * (1 + Math.cos(Math.PI * progress)) * (peak - floor);
    }

    @Override
    public ISchedule clone() {
        return new WarmupCosineSchedule(peak, warmupSteps, totalSteps, finalFraction, cosine);
    }

    @JsonProperty("peak")
    public double peak() {
        return peak;
    }

    @JsonProperty("warmupSteps")
    public int warmupSteps() {
        return warmupSteps;
    }

    @JsonProperty("totalSteps")
    public int totalSteps() {
        return totalSteps;
    }

    @JsonProperty("finalFraction")
    public double finalFraction() {
        return finalFraction;
    }

    @JsonProperty("cosine")
    public boolean cosine() {
        return cosine;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupCosineSchedule s && s.peak == peak && s.warmupSteps == warmupSteps
                && s.totalSteps == totalSteps && s.finalFraction == finalFraction && s.cosine == cosine;
    }

    @Override
    public int hashCode() {
        return Objects.hash(peak, warmupSteps, totalSteps, finalFraction, cosine);
    }

    @Override
    public String toString() {
        return "WarmupCosineSchedule(peak=" + peak + ", warmup=" + warmupSteps + ", total=" + totalSteps
                + ", final=" + finalFraction + ", cosine=" + cosine + ")";
    }
}
