package ai.chorus.prep.text;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Read-only map from a packed token pair (a {@code long}) to its merge rank, with open addressing over
 * primitive arrays: encoding looks up every adjacent pair of every word, and with a boxed
 * {@code HashMap<Long, Integer>} encoding took about three times as long.
 */
final class PairRankMap implements Serializable {

    private static final long serialVersionUID = 1L;
    static final int ABSENT = -1;
    private static final long EMPTY = -1L; // no real pair: ids are non-negative ints

    private final long[] keys;
    private final int[] values;
    private final int mask;

    /** @param pairs pair of rank r at index r; a repeated pair keeps its first (lowest) rank */
    PairRankMap(long[] pairs) {
        int capacity = Integer.highestOneBit(Math.max(4, pairs.length * 2 + 1)) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        mask = capacity - 1;
        Arrays.fill(keys, EMPTY);
        for (int r = 0; r < pairs.length; r++) {
            int slot = slot(pairs[r]);
            while (keys[slot] != EMPTY && keys[slot] != pairs[r]) {
                slot = (slot + 1) & mask;
            }
            if (keys[slot] == EMPTY) {
                keys[slot] = pairs[r];
                values[slot] = r;
            }
        }
    }

    int get(long pair) {
        int slot = slot(pair);
        long k;
        while ((k = keys[slot]) != EMPTY) {
            if (k == pair) {
                return values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return ABSENT;
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L; // Fibonacci hashing spreads the packed (left, right) ids
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
