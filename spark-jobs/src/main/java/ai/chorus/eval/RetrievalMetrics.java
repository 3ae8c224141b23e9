package ai.chorus.eval;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Retrieval metrics of one direction from its ranks: Recall@K (CLIP_benchmark: a query hits if any relevant
 * candidate is in its top K, i.e. its best relevant rank is below K), mean and median rank (1-based, as open_clip
 * reports them: median = floor(median of 0-based ranks) + 1) and mAP (mean over queries of average precision over
 * the query's relevant set; with one relevant candidate it is the mean reciprocal rank).
 */
public final class RetrievalMetrics {
    private RetrievalMetrics() {
    }

    public static double recallAt(QueryRanks ranks, int k) {
        if (k < 1) {
            throw new IllegalArgumentException("K must be positive, got " + k);
        }
        long hits = 0;
        for (int q = 0; q < ranks.size(); q++) {
            hits += ranks.rank(q) < k ? 1 : 0;
        }
        return (double) hits / ranks.size();
    }

    public static double meanRank(QueryRanks ranks) {
        double sum = 0;
        for (int q = 0; q < ranks.size(); q++) {
            sum += ranks.rank(q);
        }
        return sum / ranks.size() + 1;
    }

    public static double medianRank(QueryRanks ranks) {
        int[] sorted = new int[ranks.size()];
        Arrays.setAll(sorted, ranks::rank);
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + (double) sorted[n / 2]) / 2;
        return Math.floor(median) + 1;
    }

    public static double meanAveragePrecision(QueryRanks ranks) {
        double sum = 0;
        for (int q = 0; q < ranks.size(); q++) {
            sum += ranks.averagePrecision(q);
        }
        return sum / ranks.size();
    }

    /**
     * Recall@K of a ranking drawn uniformly at random, averaged over the queries: a query with r relevant among n
     * candidates has one in its top K with probability 1 - C(n - r, K) / C(n, K). What "beats chance" is measured
     * against; with several captions per image an image query's chance is higher than K / n.
     */
    public static double chanceRecallAt(Relevance relevance, int k) {
        int n = relevance.candidates();
        double sum = 0;
        for (int q = 0; q < relevance.queries(); q++) {
            int r = relevance.relevantTo(q) - relevance.relevantFrom(q);
            double missAll = 1;
            for (int i = 0; i < Math.min(k, n) && missAll > 0; i++) {
                missAll *= Math.max(0, (double) (n - r - i)) / (n - i);
            }
            sum += 1 - missAll;
        }
        return sum / relevance.queries();
    }

    /** Adds {@code prefix_recall@k} for every K, {@code prefix_mean_rank}, {@code prefix_median_rank}, {@code prefix_map}. */
    public static void put(Map<String, Double> into, String prefix, QueryRanks ranks, List<Integer> ks) {
        if (ranks.size() == 0) {
            throw new IllegalArgumentException(prefix + ": no queries");
        }
        for (int k : ks) {
            into.put(prefix + "_recall@" + k, recallAt(ranks, k));
        }
        into.put(prefix + "_mean_rank", meanRank(ranks));
        into.put(prefix + "_median_rank", medianRank(ranks));
        into.put(prefix + "_map", meanAveragePrecision(ranks));
    }
}
