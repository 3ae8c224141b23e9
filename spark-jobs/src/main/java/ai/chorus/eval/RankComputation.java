package ai.chorus.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * The ranking rule behind every retrieval and zero-shot metric, applied to one query's row of similarities.
 *
 * <p><b>Ties are pessimistic:</b> a non-relevant candidate that scores exactly as high as a relevant one ranks
 * before it. A query therefore hits at K only if at most K-1 non-relevant candidates score at least as high as its
 * best relevant one, and a model that gives every candidate the same score gets no credit. The rule does not depend
 * on candidate order, so blocks, partitions and shuffles all give the same ranks. The order among relevant
 * candidates that tie with each other changes no metric (average precision is symmetric in them).
 *
 * <p>For the j-th best relevant candidate (1-based) with score s, its position is j + #{non-relevant c: score(c) >= s}.
 * The rank is that count for j = 1; average precision is the mean over the relevant set of j / position.
 */
public final class RankComputation {
    public static final String TIE_RULE = "pessimistic: a non-relevant candidate scoring exactly as high as a relevant "
            + "one ranks before it";

    private RankComputation() {
    }

    /**
     * Ranks query {@code query} from its similarities {@code row[0..n)} to all candidates. {@code scratch} holds at
     * least {@link Relevance#maxRelevant()} floats.
     */
    static void rankRow(float[] row, int n, Relevance relevance, int query, float[] scratch, QueryRanks out,
                        int outIndex) {
        int from = relevance.relevantFrom(query);
        int m = relevance.relevantTo(query) - from;
        for (int i = 0; i < m; i++) {
            scratch[i] = row[relevance.relevantCandidate(from + i)];
        }
        Arrays.sort(scratch, 0, m); // ascending: the j-th best relevant score is scratch[m - j]
        double ap = 0;
        int rank = -1;
        int lower = m; // first index of the current tie group among relevant scores
        int nonRelevantAtLeast = 0;
        for (int i = m - 1; i >= 0; i--) {
            float s = scratch[i];
            if (Float.isNaN(s)) {
                throw new IllegalArgumentException("similarity of query " + query + " is NaN");
            }
            if (i < lower) { // a new threshold: count once per distinct relevant score
                lower = i;
                while (lower > 0 && scratch[lower - 1] == s) {
                    lower--;
                }
                nonRelevantAtLeast = countAtLeast(row, n, s) - (m - lower);
            }
            int j = m - i;
            if (rank < 0) {
                rank = nonRelevantAtLeast;
            }
            ap += (double) j / (j + nonRelevantAtLeast);
        }
        out.set(outIndex, rank, ap / m);
    }

    /**
     * Candidates scoring at least t: the one pass over a row that ranking costs, so it is branch-free (a compare
     * and branch on random scores mispredicts half the time, ~8x slower). For finite floats, row[c] - t is negative
     * exactly when row[c] < t (IEEE subtraction of two different floats is never zero), and its sign bit says so.
     */
    static int countAtLeast(float[] row, int n, float t) {
        int below = 0;
        for (int c = 0; c < n; c++) {
            below += Float.floatToRawIntBits(row[c] - t) >>> 31;
        }
        return n - below;
    }

    /** The full-matrix version: ranks from a materialised [queries, candidates] similarity matrix. */
    public static QueryRanks fromSimilarity(INDArray similarity, Relevance relevance) {
        int nq = (int) similarity.rows();
        int nc = (int) similarity.columns();
        if (nq != relevance.queries() || nc != relevance.candidates()) {
            throw new IllegalArgumentException("similarity is " + nq + " x " + nc + " but relevance has "
                    + relevance.queries() + " queries and " + relevance.candidates() + " candidates");
        }
        QueryRanks out = new QueryRanks(nq);
        float[] scratch = new float[relevance.maxRelevant()];
        for (int q = 0; q < nq; q++) {
            float[] row = similarity.getRow(q).castTo(DataType.FLOAT).toFloatVector();
            rankRow(row, nc, relevance, q, scratch, out, q);
        }
        return out;
    }
}
