package ai.chorus.train;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelRegistry;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static ai.chorus.train.TestSamples.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Embeddings for evaluation: the same for a sample whatever batch it is in and whatever the graph ran before; and
 * the DL4J trap they avoid (feedForward with the graph's current, absent or stale, masks) still exists.
 */
class EmbeddingsTest {
    private static final int IMAGE = 16;
    private static final int VOCAB = 40;
    private static final int T = 8;
    private static final InputShapes SHAPES = InputShapes.imageText(IMAGE, VOCAB, T);

    private static ModelBuilder.BuiltModel built;
    private static ComputationGraph graph;
    private static SampleBatches batches;
    private static final List<Row> ROWS = new ArrayList<>();

    @BeforeAll
    static void tinyClip() {
        Path file = Path.of(System.getProperty("chorus.repo", "..")).resolve("conf/models/clip.conf");
        Config clip = ConfigFactory.parseString("chorus.model.size = tiny")
                .withFallback(ConfigFactory.parseFile(file.toFile())).resolve();
        built = ModelRegistry.build(clip, SHAPES, ModelBuilder.Training.defaults());
        graph = new ComputationGraph(built.configuration());
        graph.init();
        batches = new SampleBatches(built.io(), SHAPES, 0.0, List.of(), 1);
        Random r = new Random(5);
        for (int i = 0; i < 16; i++) {
            int length = 3 + r.nextInt(T - 2); // start, 1..T-2 tokens, end
            int[] ids = new int[T];
            ids[0] = 1;
            for (int t = 1; t < length - 1; t++) {
                ids[t] = 3 + r.nextInt(VOCAB - 3);
            }
            ids[length - 1] = 2;
            ROWS.add(sample("k" + i).image(IMAGE, IMAGE, i).tokens(new int[][] {ids}, new int[] {length}).row());
        }
    }

    private static MultiDataSet rows(int from, int to) {
        return batches.batch(ROWS.subList(from, to), 0);
    }

    private static double maxDiff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    @Test
    void aSamplesEmbeddingDoesNotDependOnItsBatchNorOnWhatTheGraphRanBefore() {
        Map<String, INDArray> first = Embeddings.of(graph, built.io(), rows(0, 8));
        assertEquals(List.of("image", "text"), List.copyOf(first.keySet()));
        assertNull(graph.getInputMaskArrays(), "no masks are left on the graph");
        for (int i = 0; i < 8; i++) {
            Map<String, INDArray> alone = Embeddings.of(graph, built.io(), rows(i, i + 1));
            for (String modality : first.keySet()) {
                assertTrue(maxDiff(first.get(modality).getRow(i), alone.get(modality).getRow(0)) < 1e-5,
                        modality + " of sample " + i + " alone and in a batch");
            }
        }
        graph.score(rows(8, 16)); // leaves the masks of other captions (same batch size) on the graph
        Map<String, INDArray> again = Embeddings.of(graph, built.io(), rows(0, 8));
        for (String modality : first.keySet()) {
            assertEquals(first.get(modality), again.get(modality), modality + " after another batch was scored");
        }
    }

    @Test
    void dl4jFeedForwardUsesWhateverMasksTheGraphHolds() {
        // The trap Embeddings exists for. If DL4J ever stops reusing masks, this fails and the warning can go.
        MultiDataSet batch = rows(0, 8);
        String text = built.io().embeddings().get("text");
        INDArray right = Embeddings.of(graph, built.io(), batch).get("text");
        INDArray noMasks = graph.feedForward(batch.getFeatures(), false).get(text);
        assertTrue(maxDiff(right, noMasks) > 1e-3, "without masks text is pooled at the padding");
        graph.score(rows(8, 16));
        INDArray stale = graph.feedForward(batch.getFeatures(), false).get(text);
        assertTrue(maxDiff(right, stale) > 1e-3, "after score(), another batch's masks are used");
        graph.clearLayerMaskArrays();
    }
}
