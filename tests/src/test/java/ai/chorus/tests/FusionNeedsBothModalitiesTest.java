package ai.chorus.tests;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
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
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.Adam;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.xxhash64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue requirement: fusion classifiers beat their single-modality heads on a task that needs both modalities.
 *
 * <p>The task, from the real emoji corpus prepared by {@code chorus prepare}: "does this caption belong to this
 * image?". Each emoji gives a positive pair (its image and caption: {@value #MATCH}) and a negative (its image and
 * the caption of an emoji of another category: {@value #MISMATCH}); the partners are a rotation of the emoji, so
 * every image and every caption is in exactly one positive and one negative pair. Neither modality alone says
 * anything about the label: on the evaluation pairs a single-modality model sees each of its inputs twice, once per
 * label, and gets exactly half right whatever it learned, which the test checks. The models train on pairs of the
 * training split (new partners and the next caption wording every epoch) and are scored on pairs of the held-out
 * emoji (val and test splits, first wording, fixed partners), so what counts is what carries over to unseen emoji.
 * Negatives come from another category because that is what carries over from 1,700 emoji in two minutes; a negative
 * of the same category ("grinning face" for an unseen "beaming face") needs finer knowledge than that.
 *
 * <p>Models: {@code conf/models/fusion.conf} in each mode (early, late, gated, and the image-only and text-only
 * baselines) and {@code conf/models/crossmodal.conf}, at {@code tiny} widened to {@value #WIDTH} (patch 8, one layer
 * per tower, 2 heads). From scratch none of them left the chance plateau (loss ln 2) within 300-400 steps: the label
 * is independent of each modality, so at initialisation the towers get no first-order signal. As in practice, they
 * start from pretrained towers instead: a CLIP of the same tower settings ({@code conf/models/clip.conf}, with
 * bidirectional text as the classifiers have) trained contrastively on the training split for {@value #CLIP_STEPS}
 * steps, whose tower parameters are copied into every model wherever vertex and shape match ({@link TowerTransfer}:
 * both whole towers for late, the image body and the text tower for gated, both bodies for early and crossmodal,
 * one tower for each baseline). Then each model is fine-tuned with the same recipe: {@value #STEPS} steps of
 * {@value #BATCH} pairs, Adam 2e-3 with warm-up, constant to half-way, then linear to 0; plain
 * {@code ComputationGraph.fit}.
 *
 * <p>Measured on the 418 held-out pairs (209 emoji; 2 cores shared with other work, load ~2.5): image-only 0.500,
 * text-only 0.500, early 0.651, late 0.684, gated 0.660, crossmodal 0.658 (the same numbers twice: deterministic for
 * these seeds); CLIP 37 s, fine-tuning 34 s (early), 19 s (late), 24 s (gated), 22 s (crossmodal), 10 s and 5 s
 * (baselines); the class took 171 s with the corpus' preparation. With 100 fine-tuning steps early reached only
 * 0.574, the others 0.68-0.71. With random partners (same category allowed) late and gated reached 0.65-0.68, early
 * 0.58, crossmodal 0.54.
 */
class FusionNeedsBothModalitiesTest {
    static final String MATCH = "match";
    static final String MISMATCH = "mismatch";
    private static final List<String> CLASSES = List.of(MATCH, MISMATCH);
    private static final int WIDTH = 32;
    private static final int BATCH = 128;
    private static final int CLIP_STEPS = 300;
    private static final int STEPS = 150;
    private static final int WARMUP = 15;
    private static final double CLIP_LEARNING_RATE = 3e-3;
    private static final double LEARNING_RATE = 2e-3;
    private static final long SEED = 42;
    /** How far above the single-modality heads (0.5 by construction) each fusion model must be. */
    private static final double MARGIN = 0.08;
    private static final List<String> FUSION = List.of("early", "late", "gated", "crossmodal");
    private static final List<String> SINGLE = List.of("image-only", "text-only");

    /** A model file with the tiny preset widened; {@code fusion} picks a mode of fusion.conf. */
    private static Config model(String file, String overrides) {
        Config widened = ConfigFactory.parseString(overrides + "\n" + """
                chorus.model.size = tiny
                chorus.model.sizes.tiny {
                  image { patch = 8, width = %1$d, layers = 1, heads = 2 }
                  text { width = %1$d, layers = 1, heads = 2 }
                  embed = %1$d
                  joint { width = %1$d, layers = 1, heads = 2 }
                  crossmodal.layers = 1
                  classifier.hidden = %1$d
                }
                """.formatted(WIDTH));
        return widened.withFallback(ConfigFactory.parseFile(Repo.file("conf/models/" + file).toFile())).resolve();
    }

    private static Config classifier(String mode) {
        return mode.equals("crossmodal") ? model("crossmodal.conf", "")
                : model("fusion.conf", "chorus.model.fusion = \"" + mode + "\"");
    }

    private record Score(double accuracy, double seconds, double loss) {
    }

    @Test
    void fusionModelsBeatBothSingleModalityHeadsOnHeldOutPairs() {
        Path dataset = DemoDatasets.prepared("emoji");
        List<Row> emoji = DemoRows.read(dataset, "fusion-needs-both-modalities",
                d -> d.orderBy(xxhash64(col("key")), col("key")));
        List<Row> train = emoji.stream().filter(r -> DemoRows.string(r, "split").equals("train")).toList();
        List<Row> heldOut = emoji.stream().filter(r -> !DemoRows.string(r, "split").equals("train")).toList();
        List<Row> evaluation = pairs(heldOut, new Random(SEED), 0);
        DatasetShapes shapes = DatasetShapes.read(dataset.toUri().toString(), new org.apache.hadoop.conf.Configuration());

        long start = System.nanoTime();
        ComputationGraph clip = pretrainedClip(train, shapes.shapes());
        double clipSeconds = (System.nanoTime() - start) / 1e9;
        Map<String, Score> scores = new LinkedHashMap<>();
        for (String mode : SINGLE) {
            scores.put(mode, fineTuneAndScore(classifier(mode), shapes.shapes(CLASSES.size()), clip, train, evaluation));
        }
        for (String mode : FUSION) {
            scores.put(mode, fineTuneAndScore(classifier(mode), shapes.shapes(CLASSES.size()), clip, train, evaluation));
        }
        StringBuilder result = new StringBuilder(String.format(Locale.ROOT, "caption-image match, accuracy on %d "
                        + "held-out pairs (chance 0.5), towers from a CLIP of %d steps (%.0f s), then %d steps of batch "
                        + "%d on pairs of %d training emoji:", evaluation.size(), CLIP_STEPS, clipSeconds, STEPS, BATCH,
                train.size()));
        scores.forEach((mode, s) -> result.append(String.format(Locale.ROOT, " %s %.3f (%.0f s, final loss %.3f);",
                mode, s.accuracy, s.seconds, s.loss)));
        System.out.println(result);
        for (String mode : SINGLE) {
            // Exactly 0.5 up to a decision flipped by rounding (these models output ~0.5 for everything).
            assertEquals(0.5, scores.get(mode).accuracy, 0.01, mode + " must be at chance by construction: " + result);
        }
        for (String mode : FUSION) {
            assertTrue(scores.get(mode).accuracy >= 0.5 + MARGIN,
                    mode + " does not beat the single-modality heads by " + MARGIN + ": " + result);
        }
    }

    /**
     * Two pairs per emoji: (image, own caption, match) and (image, caption of the emoji half-way round, mismatch),
     * the emoji being ordered by category (categories and the emoji within each in a random order), so the partner
     * is of another category while no category holds half of the emoji. {@code caption} -1 keeps every wording of a
     * caption (the batches pick one per epoch).
     */
    private static List<Row> pairs(List<Row> emoji, Random random, int caption) {
        List<Row> order = new ArrayList<>(emoji);
        Collections.shuffle(order, random);
        List<String> categories = new ArrayList<>(order.stream().map(r -> DemoRows.string(r, "label")).distinct().toList());
        Collections.shuffle(categories, random);
        order.sort(Comparator.comparingInt(r -> categories.indexOf(DemoRows.string(r, "label"))));
        int n = order.size();
        List<Row> pairs = new ArrayList<>(2 * n);
        for (int i = 0; i < n; i++) {
            Row image = order.get(i);
            Row text = order.get((i + n / 2) % n);
            if (DemoRows.string(image, "label").equals(DemoRows.string(text, "label"))) {
                throw new IllegalStateException("a category holds half of the emoji: no partner of another category");
            }
            String key = DemoRows.string(image, "key");
            pairs.add(DemoRows.pair(image, image, caption, MATCH, key));
            pairs.add(DemoRows.pair(image, text, caption, MISMATCH, key + "|" + DemoRows.string(text, "key")));
        }
        return pairs;
    }

    /** CLIP with the classifiers' tower settings (bidirectional text), trained on the training emoji. */
    private static ComputationGraph pretrainedClip(List<Row> emoji, InputShapes shapes) {
        Config config = model("clip.conf", "chorus.model.text.causal = false");
        ModelBuilder.BuiltModel built = ModelRegistry.build(config, shapes, new ModelBuilder.Training(
                new Adam(WarmupSchedule.of(CLIP_LEARNING_RATE, 20, CLIP_STEPS)), DataType.FLOAT));
        ComputationGraph graph = new ComputationGraph(built.configuration());
        graph.init();
        SampleBatches batches = new SampleBatches(built.io(), shapes, 0, List.of(), SEED);
        List<Row> rows = new ArrayList<>(emoji);
        Random shuffle = new Random(SEED);
        int step = 0;
        for (int epoch = 0; step < CLIP_STEPS; epoch++) {
            Collections.shuffle(rows, shuffle);
            for (int from = 0; from + BATCH <= rows.size() && step < CLIP_STEPS; from += BATCH, step++) {
                graph.fit(batches.batch(rows.subList(from, from + BATCH), epoch));
            }
        }
        return graph;
    }

    private static Score fineTuneAndScore(Config config, InputShapes shapes, ComputationGraph clip, List<Row> train,
                                          List<Row> evaluation) {
        ModelBuilder.BuiltModel built = ModelRegistry.build(config, shapes,
                new ModelBuilder.Training(new Adam(WarmupSchedule.of(LEARNING_RATE, WARMUP, STEPS)), DataType.FLOAT));
        ComputationGraph graph = new ComputationGraph(built.configuration());
        graph.init();
        Set<String> copied = TowerTransfer.copyMatching(clip, graph);
        assertTrue(copied.contains("imagePatches") || copied.contains("textTokens"), "no tower copied: " + copied);
        SampleBatches batches = new SampleBatches(built.io(), shapes, 0, CLASSES, SEED);

        Random random = new Random(SEED);
        long start = System.nanoTime();
        int step = 0;
        for (int epoch = 0; step < STEPS; epoch++) {
            List<Row> rows = pairs(train, random, -1);
            Collections.shuffle(rows, random);
            for (int from = 0; from + BATCH <= rows.size() && step < STEPS; from += BATCH, step++) {
                graph.fit(batches.batch(rows.subList(from, from + BATCH), epoch));
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Score(accuracy(graph, batches, evaluation), seconds, graph.score());
    }

    /** The share of rows whose most probable class is their label (a tie counts as {@value #MATCH}). */
    private static double accuracy(ComputationGraph graph, SampleBatches batches, List<Row> rows) {
        int right = 0;
        int mismatch = CLASSES.indexOf(MISMATCH);
        for (int from = 0; from < rows.size(); from += BATCH) {
            List<Row> part = rows.subList(from, Math.min(rows.size(), from + BATCH));
            MultiDataSet batch = batches.batch(part, 0);
            INDArray p;
            try {
                // With the batch's own text masks; leave none on the graph (see Embeddings).
                p = graph.output(false, batch.getFeatures(), batch.getFeaturesMaskArrays())[0];
            } finally {
                graph.clearLayerMaskArrays();
            }
            for (int i = 0; i < part.size(); i++) {
                String predicted = p.getDouble(i, mismatch) > p.getDouble(i, 1 - mismatch) ? MISMATCH : MATCH;
                right += predicted.equals(DemoRows.string(part.get(i), "label")) ? 1 : 0;
            }
        }
        return (double) right / rows.size();
    }
}
