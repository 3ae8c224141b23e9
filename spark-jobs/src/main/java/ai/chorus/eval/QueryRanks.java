package ai.chorus.eval;

import java.io.Serializable;

/**
 * Per query, the rank of its best relevant candidate (0-based, ties broken as {@link RankComputation} documents)
 * and its average precision. O(queries): everything the metrics need, small enough to collect on the driver.
 */
public final class QueryRanks implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] ranks;
    private final double[] averagePrecision;

    public QueryRanks(int queries) {
        ranks = new int[queries];
        averagePrecision = new double[queries];
    }

    public int size() {
        return ranks.length;
    }

    /** 0-based: 0 means a relevant candidate is first. */
    public int rank(int query) {
        return ranks[query];
    }

    public double averagePrecision(int query) {
        return averagePrecision[query];
    }

    void set(int query, int rank, double ap) {
        ranks[query] = rank;
        averagePrecision[query] = ap;
    }

    /** Copies a part computed for queries [offset, offset + part.size()). */
    void copyFrom(QueryRanks part, int offset) {
        System.arraycopy(part.ranks, 0, ranks, offset, part.ranks.length);
        System.arraycopy(part.averagePrecision, 0, averagePrecision, offset, part.averagePrecision.length);
    }
}
