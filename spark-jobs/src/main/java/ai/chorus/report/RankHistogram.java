package ai.chorus.report;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the first relevant candidate landed, in bins a reader can take in at a glance: 1, 2, 3–5, 6–10, 11–50,
 * 51–100, >100. Bins that start past the candidate-set size cannot be hit and are left out.
 */
public final class RankHistogram {
    /** Lower bounds (1-based ranks) of the bins; each ends where the next starts. */
    private static final int[] LOWER = {1, 2, 3, 6, 11, 51, 101};

    public record Bin(String label, long count) {
    }

    private RankHistogram() {
    }

    public static List<Bin> of(int[] ranks, long candidates) {
        long[] counts = new long[LOWER.length];
        for (int rank : ranks) {
            if (rank < 1) {
                throw new IllegalArgumentException("ranks are 1-based, got " + rank);
            }
            int bin = LOWER.length - 1;
            while (rank < LOWER[bin]) {
                bin--;
            }
            counts[bin]++;
        }
        List<Bin> bins = new ArrayList<>();
        for (int b = 0; b < LOWER.length; b++) {
            boolean reachable = candidates <= 0 || LOWER[b] <= candidates;
            if (reachable || counts[b] > 0) {
                bins.add(new Bin(label(b), counts[b]));
            }
        }
        return bins;
    }

    private static String label(int b) {
        if (b == LOWER.length - 1) {
            return ">" + (LOWER[b] - 1);
        }
        int upper = LOWER[b + 1] - 1;
        return upper == LOWER[b] ? Integer.toString(upper) : LOWER[b] + "–" + upper;
    }
}
