package ai.chorus.prep.text;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerTrainingJobTest {

    private static SparkSession spark;
    private static JavaSparkContext jsc;

    @BeforeAll
    static void startSpark() {
        spark = SparkSession.builder()
                .master("local[2]")
                .appName("TokenizerTrainingJobTest")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .getOrCreate();
        jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
    }

    /** A few hundred varied captions, normalised as the prepare job would. */
    private static List<String> captions() {
        String[] subjects = {"a dog", "two cats", "a red car", "an old man", "a small bird", "the café", "un niño 🙂"};
        String[] verbs = {"running on", "sitting near", "parked by", "looking at", "flying over"};
        String[] places = {"the grass", "a snowy street", "the river", "a wooden table", "the mountains at dusk"};
        TextNormalizer normalizer = new TextNormalizer(new TextOptions(TextOptions.Normalization.NFKC, true, 32));
        List<String> out = new ArrayList<>();
        int i = 0;
        for (String s : subjects) {
            for (String v : verbs) {
                for (String p : places) {
                    out.add(normalizer.normalize((i++ % 4 == 0 ? "  A Photo Of " : "") + s + " " + v + " " + p + "."));
                    if (i % 3 == 0) {
                        out.add(normalizer.normalize(s + "'s photo #" + i));
                    }
                }
            }
        }
        return out;
    }

    @Test
    void sparkLearnsTheSameTokenizerAsPlainTraining() {
        List<String> captions = captions();
        assertTrue(captions.size() >= 200, "a few hundred captions: " + captions.size());
        JavaRDD<String> rdd = jsc.parallelize(captions, 3);

        Map<String, Long> plain = BpeTokenizerTest.countWords(captions);
        assertEquals(plain, TokenizerTrainingJob.wordCounts(rdd));

        BpeTokenizer fromSpark = TokenizerTrainingJob.learn(rdd, 600, 1);
        BpeTokenizer fromJava = BpeTokenizer.train(plain, 600, 1);
        assertTrue(fromSpark.mergeCount() > 100, "should have learned merges: " + fromSpark.mergeCount());
        assertEquals(fromJava.toJson(), fromSpark.toJson());
        assertEquals(fromJava.sha256(), fromSpark.sha256());
        assertEquals(captions.get(7), fromSpark.decode(fromSpark.encode(captions.get(7), 64).ids()));
    }

    @Test
    void minWordFrequencyFiltersOnTheExecutors() {
        List<String> captions = captions();
        Map<String, Long> counts = TokenizerTrainingJob.wordCounts(jsc.parallelize(captions, 2), 5, 1_000_000);
        Map<String, Long> expected = BpeTokenizerTest.countWords(captions).entrySet().stream()
                .filter(e -> e.getValue() >= 5)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertEquals(expected, counts);
        assertEquals(BpeTokenizer.train(expected, 500, 5).toJson(),
                TokenizerTrainingJob.learn(jsc.parallelize(captions, 2), 500, 5).toJson());
    }

    @Test
    void keepsOnlyTheMostFrequentWordsWhenThereAreTooMany() {
        List<String> captions = captions();
        Map<String, Long> all = BpeTokenizerTest.countWords(captions);
        List<Map.Entry<String, Long>> ranked = new ArrayList<>(all.entrySet());
        ranked.sort(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey));
        Map<String, Long> expected = new HashMap<>();
        ranked.subList(0, 10).forEach(e -> expected.put(e.getKey(), e.getValue()));

        Map<String, Long> top = TokenizerTrainingJob.wordCounts(jsc.parallelize(captions, 3), 1, 10);
        assertEquals(expected, top);
    }

    @Test
    void rejectsATooSmallVocabularyBeforeCounting() {
        assertThrows(IllegalArgumentException.class,
                () -> TokenizerTrainingJob.learn(jsc.parallelize(List.of("a"), 1), 100, 1));
    }
}
