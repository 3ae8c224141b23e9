package ai.chorus.train;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelIO;
import ai.chorus.prep.output.DatasetSchema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static ai.chorus.train.TestSamples.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Samples as Spark reads them back from Parquet (Scala collections in the rows), and class lists. */
class SparkSamplesTest {
    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = SparkSession.builder().master("local[1]").appName("chorus-train-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
                .config("spark.driver.host", "127.0.0.1").getOrCreate();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static void writeSamples(Path dataset, List<Row> rows) {
        spark.createDataFrame(rows, DatasetSchema.SAMPLES).write().parquet(dataset.resolve("samples").toString());
    }

    @Test
    void rowsReadBackFromParquetGiveTheSameBatchAsTheRowsWritten(@TempDir Path dataset) {
        float[][] logMel = {{1, 2, 3, 4}, {4, 3, 2, 1}};
        List<Row> written = List.of(
                sample("a").image(4, 4, 1).video(2, 3, 3, 5).audio(logMel)
                        .tokens(new int[][] {{1, 7, 2, 0}, {1, 8, 9, 2}}, new int[] {3, 4}).row(),
                sample("b").image(4, 4, 2).video(2, 3, 3, 6)
                        .tokens(new int[][] {{1, 5, 6, 2}}, new int[] {4}).row());
        writeSamples(dataset, written);
        List<Row> read = spark.read().schema(DatasetSchema.SAMPLES).parquet(dataset.resolve("samples").toString())
                .orderBy("key").collectAsList();
        assertTrue(read.get(0).get(read.get(0).fieldIndex("token_ids")) instanceof scala.collection.Seq<?>,
                "Spark hands arrays over as Scala sequences");

        InputShapes shapes = new InputShapes(4, 3, 20, 4, 2, 3, 2, 3, 0);
        SampleBatches batches = new SampleBatches(new ModelIO(List.of("image", "text", "audio", "audioPresent", "video"),
                List.of("lossAtoB", "lossBtoA"), ModelIO.IDENTITY_LABELS, Map.of()), shapes, 0.0, List.of(), 3);
        for (int epoch = 0; epoch < 2; epoch++) {
            MultiDataSet fromJava = batches.batch(written, epoch);
            MultiDataSet fromSpark = batches.batch(read, epoch);
            for (int i = 0; i < 5; i++) {
                assertEquals(fromJava.getFeatures(i), fromSpark.getFeatures(i), "input " + i + ", epoch " + epoch);
            }
            assertEquals(fromJava.getFeaturesMaskArray(1), fromSpark.getFeaturesMaskArray(1));
        }
    }

    @Test
    void trainClassesAreTheSortedDistinctLabelsOfTheTrainingSplit(@TempDir Path dataset) {
        writeSamples(dataset, List.of(
                sample("1").set("label", "dog").row(), sample("2").set("label", "cat").row(),
                sample("3").set("label", "dog").row(), sample("4").set("label", "ant").set("split", "val").row(),
                sample("5").set("label", "bee").row()));
        assertEquals(List.of("bee", "cat", "dog"), DatasetShapes.trainClasses(spark, dataset.toUri().toString()));
    }

    @Test
    void aTrainingSampleWithoutALabelIsRefusedForAClassifier(@TempDir Path dataset) {
        writeSamples(dataset, List.of(sample("1").set("label", "dog").row(), sample("2").row(),
                sample("3").set("label", "cat").row()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DatasetShapes.trainClasses(spark, dataset.toUri().toString()));
        assertTrue(e.getMessage().contains("no label"), e.getMessage());
    }
}
