package ai.chorus.eval;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The ranking rule and the metrics read from it, against {@link BruteForceRanking} and hand-computed values. */
class RankComputationTest {

    private static QueryRanks ranks(double[][] sim, int[] queryLabels, int[] candidateLabels) {
        return RankComputation.fromSimilarity(Nd4j.create(sim).castTo(org.nd4j.linalg.api.buffer.DataType.FLOAT),
                new Relevance(queryLabels, candidateLabels));
    }

    private static void assertMatchesReference(double[][] sim, int[] queryLabels, int[] candidateLabels) {
        QueryRanks r = ranks(sim, queryLabels, candidateLabels);
        BruteForceRanking ref = new BruteForceRanking(sim, queryLabels, candidateLabels);
        for (int q = 0; q < sim.length; q++) {
            assertEquals(ref.rank(q), r.rank(q), "rank of query " + q);
            assertEquals(ref.averagePrecision(q), r.averagePrecision(q), 1e-12, "AP of query " + q);
        }
        for (int k : List.of(1, 2, 3, 5, 10, sim[0].length, sim[0].length + 7)) {
            assertEquals(ref.recallAt(k), RetrievalMetrics.recallAt(r, k), 1e-12, "recall@" + k);
        }
        assertEquals(ref.meanRank(), RetrievalMetrics.meanRank(r), 1e-9);
        assertEquals(ref.map(), RetrievalMetrics.meanAveragePrecision(r), 1e-12);
    }

    @Test
    void aTieWithANonRelevantCandidateCountsAgainstTheQuery() {
        // Query 0: its image (candidate 0) ties with candidate 2 -> rank 1, not 0. Query 1: all three tie -> rank 2.
        double[][] sim = {{0.5, 0.25, 0.5}, {0.125, 0.125, 0.125}};
        QueryRanks r = ranks(sim, new int[] {0, 1}, new int[] {0, 1, 2});
        assertEquals(1, r.rank(0));
        assertEquals(2, r.rank(1));
        assertEquals(0.5, r.averagePrecision(0), 1e-12);
        assertEquals(1.0 / 3, r.averagePrecision(1), 1e-12);
        assertEquals(0.0, RetrievalMetrics.recallAt(r, 1));
        assertEquals(0.5, RetrievalMetrics.recallAt(r, 2));
        assertEquals(1.0, RetrievalMetrics.recallAt(r, 3));
        assertMatchesReference(sim, new int[] {0, 1}, new int[] {0, 1, 2});
    }

    @Test
    void anImageHitsIfAnyOfItsCaptionsIsInTheTopK() {
        // Image 0 has captions 1 and 3; image 1 has captions 0, 2 and 4 (candidates are texts, labelled by image).
        int[] imageOfText = {1, 0, 1, 0, 1};
        double[][] sim = {
                {0.9, 0.8, 0.7, 0.1, 0.6}, // image 0: captions at positions 2 and 5 -> rank 1, AP (1/2 + 2/5) / 2
                {0.2, 0.9, 0.3, 0.8, 0.1}, // image 1: positions 4, 3, 5 -> rank 2, AP (1/3 + 2/4 + 3/5) / 3
        };
        QueryRanks r = ranks(sim, new int[] {0, 1}, imageOfText);
        assertEquals(1, r.rank(0));
        assertEquals(2, r.rank(1));
        assertEquals((1.0 / 2 + 2.0 / 5) / 2, r.averagePrecision(0), 1e-12);
        assertEquals((1.0 / 3 + 2.0 / 4 + 3.0 / 5) / 3, r.averagePrecision(1), 1e-12);
        assertEquals(0.0, RetrievalMetrics.recallAt(r, 1));
        assertEquals(0.5, RetrievalMetrics.recallAt(r, 2));
        assertEquals(1.0, RetrievalMetrics.recallAt(r, 3));
        assertMatchesReference(sim, new int[] {0, 1}, imageOfText);
    }

    @Test
    void captionsTiedWithEachOtherAndWithOthers() {
        // Relevant 0.5, 0.5 tie each other and one non-relevant 0.5: pessimistic order N R R -> positions 2, 3.
        double[][] sim = {{0.5, 0.5, 0.5, 0.25}};
        int[] labels = {1, 0, 0, 1};
        QueryRanks r = ranks(sim, new int[] {0}, labels);
        assertEquals(1, r.rank(0));
        assertEquals((1.0 / 2 + 2.0 / 3) / 2, r.averagePrecision(0), 1e-12);
        assertMatchesReference(sim, new int[] {0}, labels);
    }

    @Test
    void kLargerThanTheCandidateCountIsAHitForEveryQuery() {
        double[][] sim = {{0.1, 0.9}, {0.9, 0.1}};
        QueryRanks r = ranks(sim, new int[] {0, 1}, new int[] {0, 1});
        assertEquals(0.0, RetrievalMetrics.recallAt(r, 1));
        assertEquals(1.0, RetrievalMetrics.recallAt(r, 2));
        assertEquals(1.0, RetrievalMetrics.recallAt(r, 10));
        assertEquals(2.0, RetrievalMetrics.meanRank(r));
        assertEquals(0.5, RetrievalMetrics.meanAveragePrecision(r), 1e-12);
    }

    @Test
    void oneCandidateIsAlwaysFirst() {
        double[][] sim = {{-0.3}, {0.7}, {0.0}};
        QueryRanks r = ranks(sim, new int[] {4, 4, 4}, new int[] {4});
        for (int q = 0; q < 3; q++) {
            assertEquals(0, r.rank(q));
            assertEquals(1.0, r.averagePrecision(q));
        }
        assertEquals(1.0, RetrievalMetrics.recallAt(r, 1));
        assertEquals(1.0, RetrievalMetrics.medianRank(r));
    }

    @Test
    void medianRankFollowsOpenClipOnEvenAndOddCounts() {
        // 0-based ranks {0, 3}: numpy median 1.5 -> floor 1 -> +1 = 2; {0, 3, 9}: 3 + 1 = 4.
        double[][] even = {{0.9, 0.1, 0.2, 0.3, 0.4}, {0.1, 0.5, 0.6, 0.7, 0.2}};
        assertEquals(2.0, RetrievalMetrics.medianRank(ranks(even, new int[] {0, 4}, new int[] {0, 1, 2, 3, 4})));
        double[][] odd = new double[3][10];
        for (int j = 0; j < 10; j++) {
            odd[0][j] = j == 0 ? 1 : 0;
            odd[1][j] = j >= 1 && j <= 4 ? 1 - j * 0.1 : 0; // candidate 4 is 4th best
            odd[2][j] = 10 - j; // candidate 9 is last
        }
        QueryRanks r = ranks(odd, new int[] {0, 4, 9}, Relevance.identity(10));
        assertEquals(3, r.rank(1));
        assertEquals(9, r.rank(2));
        assertEquals(4.0, RetrievalMetrics.medianRank(r));
        assertEquals((1 + 4 + 10) / 3.0, RetrievalMetrics.meanRank(r), 1e-12);
    }

    @Test
    void randomScoresWithManyTiesAndSeveralCaptionsMatchTheReference() {
        Random random = new Random(7);
        for (int trial = 0; trial < 20; trial++) {
            int images = 1 + random.nextInt(12);
            int[] imageOfText = EvalTestData.imageOfText(images, 4, random);
            double[][] textToImage = new double[imageOfText.length][images];
            double[][] imageToText = new double[images][imageOfText.length];
            for (int t = 0; t < imageOfText.length; t++) {
                for (int i = 0; i < images; i++) {
                    double s = random.nextInt(4) / 4.0; // four levels: ties everywhere
                    textToImage[t][i] = s;
                    imageToText[i][t] = s;
                }
            }
            assertMatchesReference(textToImage, imageOfText, Relevance.identity(images));
            assertMatchesReference(imageToText, Relevance.identity(images), imageOfText);
        }
    }

    @Test
    void randomEmbeddingsMatchTheReference() {
        Random random = new Random(11);
        INDArray images = UnitRows.random(40, 16, 3);
        int[] imageOfText = EvalTestData.imageOfText(40, 5, random);
        INDArray texts = EvalTestData.captionsOf(images, imageOfText, 0.6, 4);
        assertMatchesReference(EvalTestData.similarity(texts, images), imageOfText, Relevance.identity(40));
        assertMatchesReference(EvalTestData.similarity(images, texts), Relevance.identity(40), imageOfText);
    }

    @Test
    void aQueryWithoutARelevantCandidateIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Relevance.imageToText(new int[] {0, 0, 2}, 3));
        assertEquals("query 1 (label 1) has no relevant candidate", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Relevance(new int[] {0}, new int[] {-1}));
    }
}
