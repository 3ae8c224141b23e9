package ai.chorus.eval;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Blockwise ranks equal the full-matrix ranks for any block size, and the reference for exact scores. */
class BlockwiseRanksTest {

    private static void assertSameRanks(QueryRanks expected, QueryRanks actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int q = 0; q < expected.size(); q++) {
            assertEquals(expected.rank(q), actual.rank(q), what + ": rank of query " + q);
            assertEquals(expected.averagePrecision(q), actual.averagePrecision(q), 0.0, what + ": AP of query " + q);
        }
    }

    private static void assertBlockwiseEqualsFull(INDArray queries, INDArray candidates, Relevance relevance) {
        QueryRanks full = RankComputation.fromSimilarity(queries.mmul(candidates.transpose()), relevance);
        int nq = (int) queries.rows();
        for (int rows : List.of(1, 2, 3, 7, nq - 1, nq, nq + 5)) {
            if (rows >= 1) {
                assertSameRanks(full, BlockwiseRanks.withBlockRows(rows).ranks(queries, candidates, relevance),
                        rows + " rows per block");
            }
        }
        // A byte budget of 3 rows, and one smaller than a single row (still one row per block).
        long rowBytes = 4L * candidates.rows();
        assertSameRanks(full, new BlockwiseRanks(3 * rowBytes + 1).ranks(queries, candidates, relevance), "3-row budget");
        assertSameRanks(full, new BlockwiseRanks(1).ranks(queries, candidates, relevance), "1-byte budget");
        assertSameRanks(full, new BlockwiseRanks().ranks(queries, candidates, relevance), "default budget");
    }

    @Test
    void randomEmbeddingsWithSeveralCaptionsGiveTheFullMatrixRanksForEveryBlockSize() {
        Random random = new Random(5);
        INDArray images = UnitRows.random(29, 24, 1);
        int[] imageOfText = EvalTestData.imageOfText(29, 5, random);
        INDArray texts = EvalTestData.captionsOf(images, imageOfText, 0.8, 2);
        assertBlockwiseEqualsFull(texts, images, Relevance.textToImage(imageOfText, 29));
        assertBlockwiseEqualsFull(images, texts, Relevance.imageToText(imageOfText, 29));
    }

    @Test
    void exactScoresWithTiesMatchTheBruteForceReferenceBlockwise() {
        Random random = new Random(9);
        INDArray images = EvalTestData.coarse(23, 3, random); // 3 dims of 5 levels: many identical scores
        int[] imageOfText = EvalTestData.imageOfText(23, 4, random);
        INDArray texts = EvalTestData.coarse(imageOfText.length, 3, random);
        for (boolean textQueries : List.of(true, false)) {
            INDArray q = textQueries ? texts : images;
            INDArray c = textQueries ? images : texts;
            int[] ql = textQueries ? imageOfText : Relevance.identity(23);
            int[] cl = textQueries ? Relevance.identity(23) : imageOfText;
            BruteForceRanking ref = new BruteForceRanking(EvalTestData.similarity(q, c), ql, cl);
            for (int rows : List.of(1, 4, 1000)) {
                QueryRanks r = BlockwiseRanks.withBlockRows(rows).ranks(q, c, new Relevance(ql, cl));
                for (int i = 0; i < ql.length; i++) {
                    assertEquals(ref.rank(i), r.rank(i), "query " + i);
                    assertEquals(ref.averagePrecision(i), r.averagePrecision(i), 1e-12, "query " + i);
                }
            }
        }
    }

    @Test
    void aChunkOfQueriesIsRankedByItsGlobalIndices() {
        INDArray images = UnitRows.random(12, 8, 3);
        INDArray texts = EvalTestData.captionsOf(images, Relevance.identity(12), 0.5, 3);
        Relevance relevance = Relevance.textToImage(Relevance.identity(12), 12);
        QueryRanks all = new BlockwiseRanks().ranks(texts, images, relevance);
        QueryRanks chunk = BlockwiseRanks.withBlockRows(2)
                .ranks(texts.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(5, 10),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()), 5, images, relevance);
        assertEquals(5, chunk.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(all.rank(5 + i), chunk.rank(i));
            assertEquals(all.averagePrecision(5 + i), chunk.averagePrecision(i));
        }
    }

    @Test
    void blockRowsFollowTheByteBudgetAndStayWithinTheQueries() {
        BlockwiseRanks engine = new BlockwiseRanks(64L << 20);
        assertEquals(167, engine.blockRows(100_000, 100_000)); // 64 MiB / 400 kB
        assertEquals(1677, engine.blockRows(100_000, 10_000));
        assertEquals(10, engine.blockRows(10, 10_000));
        assertEquals(1, new BlockwiseRanks(100).blockRows(5, 1000));
        assertEquals(3, BlockwiseRanks.withBlockRows(3).blockRows(100, 1_000_000));
    }

    @Test
    void nonFiniteEmbeddingsAndMismatchedShapesAreRejected() {
        INDArray images = UnitRows.random(4, 3, 1);
        INDArray texts = images.dup();
        texts.putScalar(2, 1, Float.NaN);
        Relevance relevance = Relevance.textToImage(Relevance.identity(4), 4);
        assertThrows(IllegalArgumentException.class, () -> new BlockwiseRanks().ranks(texts, images, relevance));
        assertThrows(IllegalArgumentException.class,
                () -> new BlockwiseRanks().ranks(images, Nd4j.create(DataType.FLOAT, 4, 5), relevance));
        assertThrows(IllegalArgumentException.class,
                () -> new BlockwiseRanks().ranks(images, images.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 3),
                        org.nd4j.linalg.indexing.NDArrayIndex.all()), relevance));
    }
}
