package ai.chorus.prep.text;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Learns byte-level BPE merges from word counts (Sennrich et al.'s algorithm, as GPT-2 and HuggingFace's
 * trainer run it).
 *
 * <p>Each distinct word starts as its UTF-8 byte symbols. Every pair of adjacent symbols is counted,
 * weighted by the word's count. The most frequent pair is merged into a new symbol everywhere, and only
 * the counts of pairs next to a merged occurrence change: an index pair → words holding it, and a heap
 * of pairs with lazily corrected counts, keep each step proportional to the words it touches rather
 * than to the corpus.
 *
 * <p><b>Determinism.</b> The best pair is the one with the highest count; ties go to the pair whose left
 * token string is smallest, then whose right token string is smallest ({@link String#compareTo}, on the
 * printable byte-level strings). Nothing depends on the iteration order of the input map.
 *
 * <p>Stops when the vocabulary reaches the size asked for or no pair occurs at least twice. A merge whose
 * result string already exists (two different splits of the same string) reuses that token's id, so the
 * vocabulary can hold fewer tokens than specials + bytes + merges.
 */
final class BpeTrainer {

    private static final int MIN_PAIR_COUNT = 2;

    /** Symbols of one distinct word, merged in place; {@code len} shrinks as merges apply. */
    private final int[][] symbols;
    private final int[] lengths;
    private final long[] counts;
    /** id → token string (specials, bytes, then merge results). */
    private final List<String> tokens = new ArrayList<>();
    /** byte/merge token string → id, to reuse an id when a merge recreates an existing string. */
    private final Map<String, Integer> idOfToken = new HashMap<>();
    private final Map<Long, PairStat> pairs = new HashMap<>();
    private final PriorityQueue<HeapEntry> heap = new PriorityQueue<>(this::compareEntries);
    private final Set<Long> merged = new HashSet<>();
    private final List<int[]> merges = new ArrayList<>();
    /** Merge step at which a word was last rewritten, so stale duplicates in the index are skipped. */
    private final int[] rewrittenAt;
    /** Pairs whose count rose during the current step; they get a fresh heap entry after it. */
    private final List<Long> raised = new ArrayList<>();
    private int step;

    /** Count of one pair and the words that (may) hold it; the word list is not pruned when a pair goes away. */
    private static final class PairStat {
        long count;
        int[] words = new int[4];
        int nWords;
        int raisedAt = -1;

        void addWord(int w) {
            if (nWords > 0 && words[nWords - 1] == w) {
                return; // words are indexed one at a time, so a repeat is always the last entry
            }
            if (nWords == words.length) {
                words = Arrays.copyOf(words, nWords * 2);
            }
            words[nWords++] = w;
        }
    }

    /** A pair with the count it had when queued; it is stale if the count has since dropped. */
    private record HeapEntry(long pair, long count) {
    }

    static BpeTokenizer train(Map<String, Long> wordCounts, int vocabSize, int minWordFrequency) {
        if (vocabSize < BpeTokenizer.BASE_VOCAB_SIZE) {
            throw new IllegalArgumentException("vocabSize must be >= " + BpeTokenizer.BASE_VOCAB_SIZE
                    + " (3 special tokens + 256 byte symbols), was " + vocabSize);
        }
        if (minWordFrequency < 0) {
            throw new IllegalArgumentException("minWordFrequency must be >= 0, was " + minWordFrequency);
        }
        // Sorted, so that the internal word order (and with it every index list) is the same on every run.
        List<String> words = new ArrayList<>();
        for (Map.Entry<String, Long> e : wordCounts.entrySet()) {
            String word = e.getKey();
            Long count = e.getValue();
            if (word == null || count == null || count < 0) {
                throw new IllegalArgumentException("word counts need non-null words and counts >= 0: " + e);
            }
            if (!word.isEmpty() && count > 0 && count >= minWordFrequency) {
                words.add(word);
            }
        }
        words.sort(null);
        long[] counts = new long[words.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = wordCounts.get(words.get(i));
        }
        return new BpeTrainer(words, counts).run(vocabSize);
    }

    private BpeTrainer(List<String> words, long[] counts) {
        int n = words.size();
        this.symbols = new int[n][];
        this.lengths = new int[n];
        this.counts = counts;
        this.rewrittenAt = new int[n];
        Arrays.fill(rewrittenAt, -1);
        for (int w = 0; w < n; w++) {
            symbols[w] = ByteLevel.byteSymbols(words.get(w), BpeTokenizer.FIRST_BYTE_ID);
            lengths[w] = symbols[w].length;
        }
        tokens.addAll(BpeTokenizer.SPECIALS);
        for (int b = 0; b < 256; b++) {
            String t = String.valueOf(ByteLevel.byteChar(b));
            idOfToken.put(t, tokens.size());
            tokens.add(t);
        }
    }

    private BpeTokenizer run(int vocabSize) {
        for (int w = 0; w < symbols.length; w++) {
            int[] s = symbols[w];
            for (int i = 0; i + 1 < lengths[w]; i++) {
                PairStat st = pairs.computeIfAbsent(BpeTokenizer.pair(s[i], s[i + 1]), k -> new PairStat());
                st.count += counts[w];
                st.addWord(w);
            }
        }
        pairs.forEach((p, st) -> {
            if (st.count >= MIN_PAIR_COUNT) {
                heap.add(new HeapEntry(p, st.count));
            }
        });

        while (tokens.size() < vocabSize) {
            long best = pollBest();
            if (best == -1) {
                break;
            }
            mergeEverywhere(best);
            step++;
        }
        return new BpeTokenizer(tokens, merges);
    }

    /** The best pair with a current count of at least 2, or -1. */
    private long pollBest() {
        HeapEntry top;
        while ((top = heap.poll()) != null) {
            PairStat st = pairs.get(top.pair());
            if (st == null) {
                continue; // merged or gone since it was queued
            }
            if (st.count != top.count()) {
                // Existing pairs only lose count, so a stale entry is too high: queue the true count.
                if (st.count >= MIN_PAIR_COUNT) {
                    heap.add(new HeapEntry(top.pair(), st.count));
                }
                continue;
            }
            return top.pair();
        }
        return -1;
    }

    private void mergeEverywhere(long pair) {
        int left = (int) (pair >>> 32);
        int right = (int) pair;
        String text = tokens.get(left) + tokens.get(right);
        Integer existing = idOfToken.get(text);
        int result;
        if (existing != null) {
            result = existing;
        } else {
            result = tokens.size();
            tokens.add(text);
            idOfToken.put(text, result);
        }
        // A pair can come back after its merge only through a reused id; its rank is already recorded.
        if (merged.add(pair)) {
            merges.add(new int[]{left, right, result});
        }

        PairStat st = pairs.remove(pair);
        raised.clear();
        for (int k = 0; k < st.nWords; k++) {
            int w = st.words[k];
            if (rewrittenAt[w] != step) {
                rewrittenAt[w] = step;
                mergeInWord(w, left, right, result, pair);
            }
        }
        for (long p : raised) {
            PairStat r = pairs.get(p);
            if (r != null && r.count >= MIN_PAIR_COUNT) {
                heap.add(new HeapEntry(p, r.count));
            }
        }
    }

    /** Rewrites one word left to right, moving the counts of the pairs around each merged occurrence. */
    private void mergeInWord(int w, int left, int right, int result, long mergedPair) {
        int[] s = symbols[w];
        int n = lengths[w];
        long c = counts[w];
        int j = 0;
        for (int i = 0; i < n; ) {
            if (i + 1 < n && s[i] == left && s[i + 1] == right) {
                if (j > 0) { // s[j - 1] is already the output, so "A B A B" counts (AB, A) then undoes it
                    move(BpeTokenizer.pair(s[j - 1], left), BpeTokenizer.pair(s[j - 1], result), c, w, mergedPair);
                }
                if (i + 2 < n) {
                    move(BpeTokenizer.pair(right, s[i + 2]), BpeTokenizer.pair(result, s[i + 2]), c, w, mergedPair);
                }
                s[j++] = result;
                i += 2;
            } else {
                s[j++] = s[i++];
            }
        }
        lengths[w] = j;
    }

    private void move(long from, long to, long c, int w, long mergedPair) {
        if (from != mergedPair) { // the merged pair's entry is already gone
            PairStat f = pairs.get(from);
            f.count -= c;
            if (f.count == 0) {
                pairs.remove(from);
            }
        }
        PairStat t = pairs.computeIfAbsent(to, k -> new PairStat());
        t.count += c;
        t.addWord(w);
        if (t.raisedAt != step) {
            t.raisedAt = step;
            raised.add(to);
        }
    }

    /** Highest count first; ties by left token string, then right token string. */
    private int compareEntries(HeapEntry a, HeapEntry b) {
        int byCount = Long.compare(b.count(), a.count());
        if (byCount != 0) {
            return byCount;
        }
        int byLeft = tokens.get((int) (a.pair() >>> 32)).compareTo(tokens.get((int) (b.pair() >>> 32)));
        if (byLeft != 0) {
            return byLeft;
        }
        return tokens.get((int) a.pair()).compareTo(tokens.get((int) b.pair()));
    }
}
