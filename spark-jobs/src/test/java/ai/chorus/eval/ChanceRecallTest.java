package ai.chorus.eval;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Recall@K of a random ranking, against every ranking enumerated. */
class ChanceRecallTest {

    @Test
    void equalsTheAverageOverEveryPermutation() {
        // Three images with 1, 2 and 3 captions: 6 text candidates for the image queries, 3 image candidates for texts.
        int[] imageOfText = {0, 1, 1, 2, 2, 2};
        for (Relevance relevance : List.of(Relevance.imageToText(imageOfText, 3), Relevance.textToImage(imageOfText, 3))) {
            List<int[]> orders = permutations(relevance.candidates());
            for (int k = 1; k <= relevance.candidates() + 2; k++) {
                double hits = 0;
                for (int q = 0; q < relevance.queries(); q++) {
                    for (int[] order : orders) {
                        boolean hit = false;
                        for (int p = 0; p < Math.min(k, order.length); p++) {
                            hit |= isRelevant(relevance, q, order[p]);
                        }
                        hits += hit ? 1 : 0;
                    }
                }
                double brute = hits / (relevance.queries() * (double) orders.size());
                assertEquals(brute, RetrievalMetrics.chanceRecallAt(relevance, k), 1e-12, "K = " + k);
            }
        }
        assertEquals(1.0 / 3, RetrievalMetrics.chanceRecallAt(Relevance.textToImage(imageOfText, 3), 1), 1e-12);
    }

    private static boolean isRelevant(Relevance relevance, int query, int candidate) {
        for (int i = relevance.relevantFrom(query); i < relevance.relevantTo(query); i++) {
            if (relevance.relevantCandidate(i) == candidate) {
                return true;
            }
        }
        return false;
    }

    private static List<int[]> permutations(int n) {
        List<int[]> out = new ArrayList<>();
        permute(new int[n], new boolean[n], 0, out);
        return out;
    }

    private static void permute(int[] current, boolean[] used, int depth, List<int[]> out) {
        if (depth == current.length) {
            out.add(current.clone());
            return;
        }
        for (int c = 0; c < current.length; c++) {
            if (!used[c]) {
                used[c] = true;
                current[depth] = c;
                permute(current, used, depth + 1, out);
                used[c] = false;
            }
        }
    }
}
