package ai.chorus.prep.text;

import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.io.Serializable;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Learns the corpus tokenizer on Spark: captions are split into words on the executors, counted with
 * {@code reduceByKey}, and only the distinct words with their counts come to the driver, where
 * {@link BpeTokenizer#train} runs (merge learning is sequential and cheap next to the counting).
 *
 * <p><b>Driver memory bound.</b> When the corpus has more than {@code maxDistinctWords} distinct words
 * (default {@value #DEFAULT_MAX_DISTINCT_WORDS}), only the most frequent ones are collected (ties broken
 * by the word, so the choice is deterministic). The rare words left out rarely change which merges win,
 * and they still encode: byte-level BPE needs no unknown token.
 */
public final class TokenizerTrainingJob {

    /** About 100 MB of words and counts on the driver, far more than caption corpora usually have. */
    public static final int DEFAULT_MAX_DISTINCT_WORDS = 1_000_000;

    private TokenizerTrainingJob() {
    }

    /** Occurrences of every pre-tokenised word in the captions (at most {@value #DEFAULT_MAX_DISTINCT_WORDS}). */
    public static Map<String, Long> wordCounts(JavaRDD<String> normalizedCaptions) {
        return wordCounts(normalizedCaptions, 1, DEFAULT_MAX_DISTINCT_WORDS);
    }

    /**
     * Occurrences of pre-tokenised words, keeping words seen at least {@code minWordFrequency} times
     * (filtered on the executors) and at most the {@code maxDistinctWords} most frequent of them.
     */
    public static Map<String, Long> wordCounts(JavaRDD<String> normalizedCaptions, int minWordFrequency,
                                               int maxDistinctWords) {
        if (maxDistinctWords < 1) {
            throw new IllegalArgumentException("maxDistinctWords must be >= 1, was " + maxDistinctWords);
        }
        long minCount = Math.max(1, minWordFrequency);
        JavaPairRDD<String, Long> counted = normalizedCaptions
                .flatMapToPair(caption -> BpeTokenizer.preTokenize(caption).stream()
                        .map(w -> new Tuple2<>(w, 1L)).iterator())
                .reduceByKey(Long::sum)
                .filter(t -> t._2() >= minCount)
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Map<String, Long> out = new HashMap<>();
            if (counted.count() <= maxDistinctWords) {
                counted.collect().forEach(t -> out.put(t._1(), t._2()));
            } else {
                List<Tuple2<String, Long>> top = counted.takeOrdered(maxDistinctWords, new MostFrequentFirst());
                top.forEach(t -> out.put(t._1(), t._2()));
            }
            return out;
        } finally {
            counted.unpersist(false);
        }
    }

    /** Counts words on Spark, then learns merges on the driver; see {@link BpeTokenizer#train}. */
    public static BpeTokenizer learn(JavaRDD<String> normalizedCaptions, int vocabSize, int minWordFrequency) {
        return learn(normalizedCaptions, vocabSize, minWordFrequency, DEFAULT_MAX_DISTINCT_WORDS);
    }

    public static BpeTokenizer learn(JavaRDD<String> normalizedCaptions, int vocabSize, int minWordFrequency,
                                     int maxDistinctWords) {
        // Check before the Spark work, not after it.
        if (vocabSize < BpeTokenizer.BASE_VOCAB_SIZE) {
            throw new IllegalArgumentException("vocabSize must be >= " + BpeTokenizer.BASE_VOCAB_SIZE
                    + " (3 special tokens + 256 byte symbols), was " + vocabSize);
        }
        Map<String, Long> counts = wordCounts(normalizedCaptions, minWordFrequency, maxDistinctWords);
        return BpeTokenizer.train(counts, vocabSize, minWordFrequency);
    }

    /** Count descending, then word ascending; Spark ships it to executors, hence Serializable. */
    private static final class MostFrequentFirst implements Comparator<Tuple2<String, Long>>, Serializable {
        private static final long serialVersionUID = 1L;

        @Override
        public int compare(Tuple2<String, Long> a, Tuple2<String, Long> b) {
            int byCount = Long.compare(b._2(), a._2());
            return byCount != 0 ? byCount : a._1().compareTo(b._1());
        }
    }
}
