package ai.chorus.tests;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelIO;
import ai.chorus.models.ModelRegistry;
import ai.chorus.train.DatasetShapes;
import ai.chorus.train.SampleBatches;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue requirement: CLIP on 512 emoji reaches train Recall@1 >= 0.9 both ways within a stated number of steps.
 *
 * <p>The real emoji corpus, prepared by {@code chorus prepare}; 512 training samples (a fixed pseudo-random choice:
 * key order would give ~250 look-alike flags and the keycaps); CLIP from {@code conf/models/clip.conf} at {@code tiny}
 * widened to 64 (1 layer, 2 heads per tower: ~350k parameters); batches of 128 formed by {@link SampleBatches},
 * reshuffled every epoch, each epoch showing each sample its next caption; Adam 3e-3 with 20 warm-up steps, constant
 * to half-way, then linear to 0 at {@value #STEPS} steps; plain {@code ComputationGraph.fit}. Recall@1 is brute force
 * over the 512 image and 512 text embeddings ({@link RowEmbeddings}: with the batches' masks), text being each sample's
 * epoch-0 caption. Seen while writing it, with three shuffle seeds: 0.96-0.98 both ways at 320 steps (0.85-0.91 at
 * 160). Training took 65-120 s on a loaded 2-core machine (0.2-0.37 s/step); about a minute on idle cores is an
 * estimate. The key-ordered first 512 with batches of 64 plateau near 0.83 (look-alikes rarely share a batch).
 */
class ClipLearnsEmojiTest {
    private static final int SAMPLES = 512;
    private static final int BATCH = 128;
    private static final int STEPS = 320;
    private static final int WARMUP = 20;
    private static final double LEARNING_RATE = 3e-3;
    private static final long SEED = 42;

    /** conf/models/clip.conf at size tiny, widened: what fits 2 cores and still learns 512 pairs. */
    private static Config clip() {
        Config widened = ConfigFactory.parseString("""
                chorus.model.size = tiny
                chorus.model.sizes.tiny {
                  image { patch = 8, width = 64, layers = 1, heads = 2 }
                  text { width = 64, layers = 1, heads = 2 }
                  embed = 64
                }
                """);
        return widened.withFallback(ConfigFactory.parseFile(Repo.file("conf/models/clip.conf").toFile())).resolve();
    }

    @Test
    void clipReachesTrainRecallAt1OfNinetyPercentBothWays() {
        Path dataset = DemoDatasets.prepared("emoji");
        List<Row> rows = DemoRows.read(dataset, "clip-learns-emoji", samples -> samples
                .filter(col("split").equalTo("train")).orderBy(xxhash64(col("key")), col("key")).limit(SAMPLES));
        assertEquals(SAMPLES, rows.size());
        InputShapes shapes = DatasetShapes.read(dataset.toUri().toString(),
                new org.apache.hadoop.conf.Configuration()).shapes();

        Config config = clip();
        ModelBuilder.BuiltModel built = ModelRegistry.build(config, shapes,
                new ModelBuilder.Training(new Adam(WarmupSchedule.of(LEARNING_RATE, WARMUP, STEPS)), DataType.FLOAT));
        ComputationGraph graph = new ComputationGraph(built.configuration());
        graph.init();
        SampleBatches batches = new SampleBatches(built.io(), shapes,
                config.getDouble("chorus.model.label-smoothing"), List.of(), SEED);

        Random shuffle = new Random(SEED);
        long start = System.nanoTime();
        int step = 0;
        for (int epoch = 0; step < STEPS; epoch++) {
            Collections.shuffle(rows, shuffle);
            for (int from = 0; from + BATCH <= rows.size() && step < STEPS; from += BATCH, step++) {
                graph.fit(batches.batch(rows.subList(from, from + BATCH), epoch));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;

        double[] recall = recallAt1BothWays(graph, built.io(), batches, rows);
        String result = String.format(Locale.ROOT, "CLIP on %d emoji: train Recall@1 image->text %.3f, text->image %.3f "
                        + "after %d steps of batch %d (%.0f s of training, %.2f s/step); final loss %.3f", SAMPLES,
                recall[0], recall[1], STEPS, BATCH, seconds, seconds / STEPS, graph.score());
        System.out.println(result);
        assertTrue(recall[0] >= 0.9 && recall[1] >= 0.9, result);
    }

    /** Brute force over all rows: the share whose own pair is the most similar, image->text and text->image. */
    private static double[] recallAt1BothWays(ComputationGraph graph, ModelIO io, SampleBatches batches, List<Row> rows) {
        Map<String, INDArray> e = RowEmbeddings.of(graph, io, batches, rows, BATCH);
        return new double[] {hits(RowEmbeddings.cosines(e.get("image"), e.get("text"))),
                hits(RowEmbeddings.cosines(e.get("text"), e.get("image")))};
    }

    /** Rows whose own column is strictly the largest (a tie is a miss). */
    private static double hits(double[][] s) {
        int hits = 0;
        for (int i = 0; i < s.length; i++) {
            boolean best = true;
            for (int j = 0; j < s[i].length && best; j++) {
                best = j == i || s[i][j] < s[i][i];
            }
            hits += best ? 1 : 0;
        }
        return (double) hits / s.length;
    }
}
