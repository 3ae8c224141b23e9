package ai.chorus.eval;

import ai.chorus.config.ChorusConfig;
import ai.chorus.train.Embeddings;
import ai.chorus.train.SampleBatches;
import ai.chorus.train.TinyCorpus;
import ai.chorus.train.TrainJob;
import ai.chorus.train.TrainTestSupport;
import ai.chorus.train.TrainedRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * `chorus eval` on a real trained CLIP (tiny, a few steps on the 64-sample PNG corpus) and its validation split (two
 * captions per image): the stored embeddings are the model's, the metrics are those of a brute-force ranking of the
 * stored embeddings, and reruns skip finished work.
 */
class EvalJobTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    static SparkSession spark;
    static String dataset;
    static String run;

    @BeforeAll
    static void train() throws Exception {
        spark = TrainTestSupport.spark("local[2]");
        dataset = TinyCorpus.shared(spark);
        run = dir.resolve("run").toUri().toString();
        new TrainJob(spark, TrainTestSupport.run("clip", dataset, dir.resolve("run"), "chorus.train.epochs=2",
                "chorus.train.batch-size=4")).run(false);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    static EvalOptions options(String output, String... more) {
        List<String> all = new ArrayList<>(List.of("chorus.eval.run=\"" + run + "\"", "chorus.eval.split=val",
                "chorus.eval.output=\"" + output + "\"", "chorus.eval.ks=[1, 2, 5, 100]", "chorus.eval.batch-size=5",
                "chorus.eval.examples=3", "chorus.eval.block-bytes=1048576"));
        all.addAll(Arrays.asList(more));
        return EvalOptions.fromConfig(ChorusConfig.load(List.<File>of(), all));
    }

    @Test
    void resultsAreThoseOfABruteForceRankingOfTheStoredEmbeddings() throws Exception {
        Path out = dir.resolve("eval-metrics");
        EvalJob.Summary summary = new EvalJob(spark, options(out.toUri().toString())).run(false);
        assertEquals(List.of("embeddings", "text-image", "zeroshot-image"), summary.written());

        JsonNode results = JSON.readTree(out.resolve("results/text-image.val.json").toFile());
        assertEquals("zeroshot_retrieval", results.path("task").asText());
        assertEquals("val", results.path("split").asText());
        assertEquals("clip", results.path("model").asText());
        assertEquals("[\"text\",\"image\"]", results.path("pair").toString());
        assertEquals(16, results.path("config_hash").asText().length());
        assertEquals(1.0 / results.path("sizes").path("images").asDouble(),
                results.path("chance").path("image_retrieval_recall@1").asDouble(), 1e-12, "a random ranking's R@1");

        // The stored embeddings, read back without the job's code: images by key, texts by (key, caption).
        List<Row> images = embeddings(out, "image");
        List<Row> texts = embeddings(out, "text");
        long samples = spark.read().parquet(dataset + "/samples").filter(col("split").equalTo("val")).count();
        assertEquals(samples, images.size(), "one image row per validation sample");
        assertEquals(2 * samples, texts.size(), "one text row per caption (two per sample)");
        Map<String, Integer> imageOf = new HashMap<>();
        for (int i = 0; i < images.size(); i++) {
            imageOf.put(images.get(i).getString(0), i);
        }
        int[] imageOfText = texts.stream().mapToInt(r -> imageOf.get(r.getString(0))).toArray();
        double[][] img = unit(images);
        double[][] txt = unit(texts);
        int[] imageIds = java.util.stream.IntStream.range(0, img.length).toArray();
        BruteForceRanking textQueries = new BruteForceRanking(dot(txt, img), imageOfText, imageIds);
        BruteForceRanking imageQueries = new BruteForceRanking(dot(img, txt), imageIds, imageOfText);

        JsonNode m = results.path("metrics");
        for (int k : List.of(1, 2, 5, 100)) {
            assertEquals(textQueries.recallAt(k), m.path("image_retrieval_recall@" + k).asDouble(), 1e-9, "R@" + k);
            assertEquals(imageQueries.recallAt(k), m.path("text_retrieval_recall@" + k).asDouble(), 1e-9, "R@" + k);
        }
        assertEquals(1.0, m.path("image_retrieval_recall@100").asDouble(), "K past the candidate count is a hit");
        assertEquals(textQueries.meanRank(), m.path("image_retrieval_mean_rank").asDouble(), 1e-9);
        assertEquals(imageQueries.meanRank(), m.path("text_retrieval_mean_rank").asDouble(), 1e-9);
        assertEquals(textQueries.map(), m.path("image_retrieval_map").asDouble(), 1e-9);
        assertEquals(imageQueries.map(), m.path("text_retrieval_map").asDouble(), 1e-9);
        assertEquals(medianRank(textQueries), m.path("image_retrieval_median_rank").asDouble());
        assertEquals(samples, results.path("sizes").path("image_retrieval_candidates").asLong());
        assertEquals(2 * samples, results.path("sizes").path("image_retrieval_queries").asLong());

        JsonNode zeroShot = JSON.readTree(out.resolve("results/zeroshot-image.val.json").toFile());
        assertEquals("zeroshot_classification", zeroShot.path("task").asText());
        assertEquals(4, zeroShot.path("sizes").path("classes").asInt(), "four colours");
        assertEquals(samples, zeroShot.path("sizes").path("images").asLong(), "every labelled validation image classified");
        assertEquals(List.of("black", "blue", "green", "red"), JSON.convertValue(zeroShot.path("class_names"), List.class));
        double acc1 = zeroShot.path("metrics").path("acc1").asDouble(-1);
        assertTrue(acc1 >= 0 && acc1 <= zeroShot.path("metrics").path("acc5").asDouble(), zeroShot.toString());

        // The examples: every query's rank, and the shown queries' top lists agree with those ranks.
        JsonNode examples = JSON.readTree(out.resolve("examples/text-image.val.json").toFile());
        JsonNode textToImage = examples.path("directions").get(0);
        assertEquals("image_retrieval", textToImage.path("name").asText());
        assertEquals(texts.size(), textToImage.path("ranks").size());
        for (int q = 0; q < texts.size(); q++) {
            assertEquals(textQueries.rank(q) + 1, textToImage.path("ranks").get(q).asInt(), "rank of text " + q);
        }
        assertEquals(3, textToImage.path("examples").size());
        for (JsonNode ex : textToImage.path("examples")) {
            JsonNode top = ex.path("top");
            assertEquals(5, top.size());
            int firstRelevant = 0;
            while (firstRelevant < top.size() && !top.get(firstRelevant).path("relevant").asBoolean()) {
                firstRelevant++;
            }
            if (ex.path("rank").asInt() <= 5) {
                assertEquals(ex.path("rank").asInt(), firstRelevant + 1, "the marked image sits at the query's rank: " + ex);
            }
            for (JsonNode item : top) {
                BufferedImage thumbnail = ImageIO.read(out.resolve(item.path("media").asText()).toFile());
                assertEquals(16, thumbnail.getWidth(), item.toString());
            }
            assertFalse(ex.path("query").path("text").asText().isBlank());
        }
    }

    @Test
    void storedEmbeddingsAreTheModelsOwnForEveryCaption() throws Exception {
        Path out = dir.resolve("eval-embeddings");
        new EvalJob(spark, options(out.toUri().toString())).embed(false);
        TrainedRun trained = TrainedRun.open(spark, run);
        ComputationGraph graph = TrainedRun.restore(trained.modelZip());
        SampleBatches batcher = new SampleBatches(trained.model().io(), trained.model().shapes(), 0, List.of(), 0);
        Row sample = spark.read().parquet(dataset + "/samples").filter(col("split").equalTo("val")).orderBy("key").first();
        for (int caption = 0; caption < 2; caption++) {
            Map<String, INDArray> local = Embeddings.of(graph, trained.model().io(),
                    batcher.batchWithCaption(List.of(sample), caption));
            Row stored = spark.read().parquet(out.resolve("embeddings/val").toString())
                    .filter(col("key").equalTo(sample.getString(0)).and(col("modality").equalTo("text"))
                            .and(col("caption").equalTo(caption))).first();
            assertEquals(sample.getList(sample.fieldIndex("captions")).get(caption), stored.getAs("text"));
            assertClose(local.get("text"), stored.getList(stored.fieldIndex("embedding")));
        }
    }

    @Test
    void rerunSkipsFinishedWorkAndForceRedoesIt() throws Exception {
        Path out = dir.resolve("eval-rerun");
        EvalOptions options = options(out.toUri().toString());
        new EvalJob(spark, options).run(false);
        Path results = out.resolve("results/text-image.val.json");
        long written = Files.getLastModifiedTime(results).toMillis();
        Thread.sleep(20);
        EvalJob.Summary again = new EvalJob(spark, options).run(false);
        assertEquals(List.of("embeddings", "text-image", "zeroshot-image"), again.skipped());
        assertTrue(again.written().isEmpty());
        assertEquals(written, Files.getLastModifiedTime(results).toMillis(), "results untouched by a rerun");

        EvalJob.Summary otherKs = new EvalJob(spark, options(out.toUri().toString(), "chorus.eval.ks=[1, 3]")).run(false);
        assertEquals(List.of("text-image"), otherKs.written(), "other Ks: the pair again, embeddings reused");
        assertTrue(JSON.readTree(results.toFile()).path("metrics").has("image_retrieval_recall@3"));

        EvalJob.Summary forced = new EvalJob(spark, options).run(true);
        assertEquals(List.of("embeddings", "text-image", "zeroshot-image"), forced.written());
    }

    @Test
    void badRunsAndPairsAreRefusedWithTheirKey() {
        IllegalArgumentException noRun = assertThrows(IllegalArgumentException.class, () -> new EvalJob(spark,
                EvalOptions.fromConfig(ChorusConfig.load(List.<File>of(), List.of("chorus.eval.run=\"" + dir.toUri() + "\"",
                        "chorus.eval.output=\"" + dir.resolve("x").toUri() + "\"")))).run(false));
        assertTrue(noRun.getMessage().contains("run.conf") && noRun.getMessage().contains("chorus train"), noRun.getMessage());
        IllegalArgumentException pair = assertThrows(IllegalArgumentException.class, () -> new EvalJob(spark,
                options(dir.resolve("y").toUri().toString(), "chorus.eval.pairs=[text-audio]")).run(false));
        assertTrue(pair.getMessage().contains("chorus.eval.pairs") && pair.getMessage().contains("audio"), pair.getMessage());
        assertThrows(com.typesafe.config.ConfigException.class,
                () -> options(dir.resolve("z").toUri().toString(), "chorus.eval.pairs=[text-text]"));
    }

    private static void assertClose(INDArray expected, List<Float> actual) {
        float[] e = expected.toFloatVector();
        assertEquals(e.length, actual.size());
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], actual.get(i), 1e-5, "embedding entry " + i);
        }
    }

    private static List<Row> embeddings(Path out, String modality) {
        return spark.read().parquet(out.resolve("embeddings/val").toString()).filter(col("modality").equalTo(modality))
                .orderBy("key", "caption").collectAsList();
    }

    private static double[][] unit(List<Row> rows) {
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            List<Float> e = rows.get(i).getList(rows.get(i).fieldIndex("embedding"));
            double norm = 0;
            out[i] = new double[e.size()];
            for (int j = 0; j < e.size(); j++) {
                out[i][j] = e.get(j);
                norm += out[i][j] * out[i][j];
            }
            for (int j = 0; j < e.size(); j++) {
                out[i][j] /= Math.sqrt(norm);
            }
        }
        return out;
    }

    private static double[][] dot(double[][] a, double[][] b) {
        double[][] s = new double[a.length][b.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                for (int k = 0; k < a[i].length; k++) {
                    s[i][j] += a[i][k] * b[j][k];
                }
            }
        }
        return s;
    }

    private static double medianRank(BruteForceRanking r) {
        int[] ranks = new int[r.order.length];
        Arrays.setAll(ranks, r::rank);
        Arrays.sort(ranks);
        int n = ranks.length;
        double median = n % 2 == 1 ? ranks[n / 2] : (ranks[n / 2 - 1] + (double) ranks[n / 2]) / 2;
        return Math.floor(median) + 1;
    }
}
