package ai.chorus.bench;

import java.util.Arrays;
import java.util.List;

/**
 * Summary of measured step times in milliseconds: median, 10th and 90th percentiles (linear interpolation between
 * order statistics, numpy's default), extremes, and every step as measured.
 */
public record StepTimes(double median, double p10, double p90, double min, double max, List<Double> all) {

    public static StepTimes of(double[] ms) {
        if (ms.length == 0) {
            throw new IllegalArgumentException("no measured steps");
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        return new StepTimes(percentile(sorted, 50), percentile(sorted, 10), percentile(sorted, 90), sorted[0],
                sorted[sorted.length - 1], Arrays.stream(ms).boxed().toList());
    }

    static double percentile(double[] sorted, double p) {
        double rank = p / 100.0 * (sorted.length - 1);
        int lo = (int) Math.floor(rank);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - sorted[lo]);
    }
}
