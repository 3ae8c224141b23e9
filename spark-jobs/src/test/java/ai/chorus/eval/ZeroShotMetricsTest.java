package ai.chorus.eval;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Zero-shot classification: prompts, class embeddings, and acc@K / mean per-class recall against brute force. */
class ZeroShotMetricsTest {

    @Test
    void promptsAreEveryTemplateForEveryClassClassMajor() {
        assertEquals(List.of("a photo of a cat.", "a drawing of a cat.", "a photo of a dog.", "a drawing of a dog."),
                ZeroShotClassifier.prompts(List.of("cat", "dog"), List.of("a photo of a {c}.", "a drawing of a {c}.")));
        assertThrows(IllegalArgumentException.class,
                () -> ZeroShotClassifier.prompts(List.of("cat"), List.of("no placeholder")));
    }

    @Test
    void aClassEmbeddingIsTheNormalisedMeanOfItsNormalisedPromptEmbeddings() {
        // Class 0: prompts (2,0) and (0,1) -> unit (1,0), (0,1) -> mean (.5,.5) -> (1,1)/sqrt 2. Class 1: (0,-3), (0,-1).
        INDArray prompts = Nd4j.create(new float[][] {{2, 0}, {0, 1}, {0, -3}, {0, -1}});
        INDArray classes = ZeroShotClassifier.classEmbeddings(prompts, 2);
        float h = (float) Math.sqrt(0.5);
        assertArrayEquals(new float[] {h, h}, classes.getRow(0).toFloatVector(), 1e-6f);
        assertArrayEquals(new float[] {0, -1}, classes.getRow(1).toFloatVector(), 1e-6f);
        assertThrows(IllegalArgumentException.class, () -> ZeroShotClassifier.classEmbeddings(prompts, 3));
    }

    @Test
    void accuracyAndMeanPerClassRecallMatchBruteForce() {
        Random random = new Random(3);
        int classes = 7;
        INDArray classEmbeddings = UnitRows.random(classes, 10, 4);
        // Unbalanced classes (class 6 has no images at all), noisy images of their class.
        int[] labels = new int[60];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i < 30 ? 0 : 1 + random.nextInt(5);
        }
        INDArray images = EvalTestData.captionsOf(classEmbeddings, labels, 0.5, 5);
        List<Integer> ks = List.of(1, 2, 5, 9);
        EvalResults r = ZeroShotMetrics.evaluate(images, classEmbeddings, labels, ks, "test",
                BlockwiseRanks.withBlockRows(7));

        double[][] sim = EvalTestData.similarity(images, classEmbeddings);
        BruteForceRanking ref = new BruteForceRanking(sim, labels, Relevance.identity(classes));
        for (int k : ks) {
            assertEquals(ref.recallAt(k), r.metric("acc" + k), 1e-12, "acc" + k);
        }
        assertEquals(1.0, r.metric("acc9"));
        // Mean per-class recall: top-1 prediction (argmax, pessimistic ties) per class, averaged over classes 0..5.
        double sum = 0;
        for (int c = 0; c < 6; c++) {
            int seen = 0;
            int correct = 0;
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == c) {
                    seen++;
                    correct += ref.order[i][0] == c ? 1 : 0;
                }
            }
            sum += (double) correct / seen;
        }
        assertEquals(sum / 6, r.metric("mean_per_class_recall"), 1e-12);
        double acc1 = r.metric("acc1");
        assertEquals(true, acc1 > 0.1 && acc1 < 0.99, "acc1 " + acc1);
        // Class 0 dominates the images, so plain accuracy and the per-class mean differ.
        assertEquals(false, Math.abs(acc1 - r.metric("mean_per_class_recall")) < 1e-9);
        assertEquals(60, r.sizes().get("images"));
        assertEquals(7, r.sizes().get("classes"));
        assertEquals("zeroshot_classification", r.task());
    }

    @Test
    void aTieForTheTopClassIsAMiss() {
        // The image scores 0.5 against both classes: pessimistically neither is its top-1 prediction.
        INDArray classes = Nd4j.create(new float[][] {{1, 0}, {0, 1}});
        INDArray image = Nd4j.create(new float[][] {{0.5f, 0.5f}}).castTo(DataType.FLOAT);
        EvalResults r = ZeroShotMetrics.evaluate(image, classes, new int[] {1}, List.of(1, 2), "test",
                new BlockwiseRanks());
        assertEquals(0.0, r.metric("acc1"));
        assertEquals(1.0, r.metric("acc2"));
        assertEquals(0.0, r.metric("mean_per_class_recall"));
    }
}
