package ai.chorus.eval;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Ranks computed on Spark (partitioned queries, broadcast candidates) equal the plain engine's. */
class SparkRetrievalTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[2]").appName("chorus-eval-test")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void sparkGivesThePlainRanksAndMetricsForAnyPartitioning() {
        Random random = new Random(17);
        INDArray images = UnitRows.random(41, 16, 6);
        int[] imageOfText = EvalTestData.imageOfText(41, 4, random);
        INDArray texts = EvalTestData.captionsOf(images, imageOfText, 0.7, 7);
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        List<Integer> ks = List.of(1, 5, 10);
        EvalResults plain = RetrievalEval.evaluate(images, texts, imageOfText, ks, "val", new BlockwiseRanks());
        for (int partitions : List.of(1, 3, 100)) { // 100 > the 41 image queries: one query per chunk
            SparkRetrieval engine = new SparkRetrieval(sc, partitions, 4L * texts.rows() * 5);
            Relevance t2i = Relevance.textToImage(imageOfText, 41);
            QueryRanks expected = new BlockwiseRanks().ranks(texts, images, t2i);
            QueryRanks actual = engine.ranks(texts, images, t2i);
            for (int q = 0; q < expected.size(); q++) {
                assertEquals(expected.rank(q), actual.rank(q), partitions + " partitions, query " + q);
                assertEquals(expected.averagePrecision(q), actual.averagePrecision(q), 0.0);
            }
            assertEquals(plain.metrics(), RetrievalEval.evaluate(images, texts, imageOfText, ks, "val", engine)
                    .metrics(), partitions + " partitions");
        }
    }
}
