package ai.chorus.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Both retrieval directions with CLIP_benchmark's names, against the brute-force reference, and the results file. */
class RetrievalEvalTest {

    @Test
    void bothDirectionsWithSeveralCaptionsPerImageMatchTheReference() throws Exception {
        Random random = new Random(21);
        INDArray images = UnitRows.random(30, 16, 8);
        int[] imageOfText = EvalTestData.imageOfText(30, 5, random);
        INDArray texts = EvalTestData.captionsOf(images, imageOfText, 0.7, 9);
        List<Integer> ks = List.of(1, 5, 10, 50); // 50 > the 30 images
        EvalResults results = RetrievalEval.evaluate(images, texts, imageOfText, ks, "val",
                BlockwiseRanks.withBlockRows(4));

        BruteForceRanking textQueries = new BruteForceRanking(EvalTestData.similarity(texts, images), imageOfText,
                Relevance.identity(30));
        BruteForceRanking imageQueries = new BruteForceRanking(EvalTestData.similarity(images, texts),
                Relevance.identity(30), imageOfText);
        for (int k : ks) {
            assertEquals(textQueries.recallAt(k), results.metric("image_retrieval_recall@" + k), 1e-12);
            assertEquals(imageQueries.recallAt(k), results.metric("text_retrieval_recall@" + k), 1e-12);
        }
        assertEquals(1.0, results.metric("image_retrieval_recall@50"));
        assertEquals(textQueries.meanRank(), results.metric("image_retrieval_mean_rank"), 1e-9);
        assertEquals(imageQueries.meanRank(), results.metric("text_retrieval_mean_rank"), 1e-9);
        assertEquals(textQueries.map(), results.metric("image_retrieval_map"), 1e-12);
        assertEquals(imageQueries.map(), results.metric("text_retrieval_map"), 1e-12);
        // The noise makes this a real test: neither perfect nor hopeless.
        double r1 = results.metric("image_retrieval_recall@1");
        assertEquals(true, r1 > 0.05 && r1 < 0.95, "recall@1 " + r1);

        JsonNode json = new ObjectMapper().readTree(results.toJsonString());
        assertEquals("zeroshot_retrieval", json.path("task").asText());
        assertEquals("val", json.path("split").asText());
        assertEquals(30, json.path("sizes").path("image_retrieval_candidates").asLong());
        assertEquals(imageOfText.length, json.path("sizes").path("text_retrieval_candidates").asLong());
        assertEquals(imageOfText.length, json.path("sizes").path("image_retrieval_queries").asLong());
        assertEquals(RankComputation.TIE_RULE, json.path("tie_rule").asText());
        assertEquals(results.metric("text_retrieval_recall@5"),
                json.path("metrics").path("text_retrieval_recall@5").asDouble());
        assertEquals(2 * (ks.size() + 3), json.path("metrics").size());
        EvalResults read = EvalResults.parse(results.toJsonString());
        assertEquals(results.metrics(), read.metrics(), "a results file reads back as written");
        assertEquals(results.sizes(), read.sizes());
        assertEquals(results.split(), read.split());
    }

    @Test
    void identicalEmbeddingsRetrievePerfectly() {
        INDArray images = UnitRows.random(9, 12, 2);
        EvalResults r = RetrievalEval.evaluate(images, images.dup(), Relevance.identity(9), List.of(1), "test",
                new BlockwiseRanks());
        assertEquals(1.0, r.metric("image_retrieval_recall@1"));
        assertEquals(1.0, r.metric("text_retrieval_recall@1"));
        assertEquals(1.0, r.metric("text_retrieval_mean_rank"));
        assertEquals(1.0, r.metric("image_retrieval_median_rank"));
        assertEquals(1.0, r.metric("image_retrieval_map"));
        assertThrows(IllegalArgumentException.class, () -> r.metric("acc1"));
    }

    @Test
    void textsWithoutImageIndicesAreRejected() {
        INDArray images = UnitRows.random(3, 4, 2);
        assertThrows(IllegalArgumentException.class,
                () -> RetrievalEval.evaluate(images, images, new int[] {0, 1}, List.of(1), "val", new BlockwiseRanks()));
    }
}
