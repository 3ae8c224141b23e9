package ai.chorus.eval;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The reference the engines are tested against, written the obvious way: sort every query's candidates by score
 * (descending; at equal score non-relevant first, the documented pessimistic rule), then read the metrics off the
 * sorted list literally. Shares no code with the engines.
 */
final class BruteForceRanking {
    final int[][] order; // per query, candidate indices best first
    final boolean[][] relevantInOrder;

    BruteForceRanking(double[][] sim, int[] queryLabels, int[] candidateLabels) {
        int nq = sim.length;
        order = new int[nq][];
        relevantInOrder = new boolean[nq][];
        for (int q = 0; q < nq; q++) {
            double[] s = sim[q];
            int label = queryLabels[q];
            Integer[] idx = new Integer[s.length];
            Arrays.setAll(idx, i -> i);
            Arrays.sort(idx, Comparator.<Integer>comparingDouble(c -> -s[c])
                    .thenComparing(c -> candidateLabels[c] == label ? 1 : 0));
            order[q] = Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
            relevantInOrder[q] = new boolean[s.length];
            for (int p = 0; p < s.length; p++) {
                relevantInOrder[q][p] = candidateLabels[order[q][p]] == label;
            }
        }
    }

    static double[][] toDouble(float[][] f) {
        double[][] d = new double[f.length][];
        for (int i = 0; i < f.length; i++) {
            d[i] = new double[f[i].length];
            for (int j = 0; j < f[i].length; j++) {
                d[i][j] = f[i][j];
            }
        }
        return d;
    }

    /** 0-based position of the first relevant candidate. */
    int rank(int q) {
        for (int p = 0; ; p++) {
            if (relevantInOrder[q][p]) {
                return p;
            }
        }
    }

    double averagePrecision(int q) {
        int found = 0;
        double sum = 0;
        for (int p = 0; p < relevantInOrder[q].length; p++) {
            if (relevantInOrder[q][p]) {
                found++;
                sum += (double) found / (p + 1);
            }
        }
        return sum / found;
    }

    /** Share of queries with any relevant candidate among their first k. */
    double recallAt(int k) {
        int hits = 0;
        for (boolean[] rel : relevantInOrder) {
            boolean hit = false;
            for (int p = 0; p < Math.min(k, rel.length); p++) {
                hit |= rel[p];
            }
            hits += hit ? 1 : 0;
        }
        return (double) hits / relevantInOrder.length;
    }

    double meanRank() {
        double sum = 0;
        for (int q = 0; q < order.length; q++) {
            sum += rank(q) + 1;
        }
        return sum / order.length;
    }

    double map() {
        double sum = 0;
        for (int q = 0; q < order.length; q++) {
            sum += averagePrecision(q);
        }
        return sum / order.length;
    }
}
