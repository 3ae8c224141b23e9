package ai.chorus.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Zero-shot classification: every image is a query against the class embeddings ({@link ZeroShotClassifier}), its
 * class the one relevant candidate. acc{K} (CLIP_benchmark's acc1, acc5) is the share of images whose class is in
 * the top K; mean_per_class_recall is the top-1 recall averaged over the classes that have images (a class without
 * images has no recall to average). Ties follow {@link RankComputation}'s pessimistic rule.
 */
public final class ZeroShotMetrics {
    public static final String TASK = "zeroshot_classification";
    public static final List<Integer> DEFAULT_KS = List.of(1, 5);

    private ZeroShotMetrics() {
    }

    public static double accuracyAt(QueryRanks ranks, int k) {
        return RetrievalMetrics.recallAt(ranks, k);
    }

    public static double meanPerClassRecall(QueryRanks ranks, int[] classOfImage, int classes) {
        long[] seen = new long[classes];
        long[] correct = new long[classes];
        for (int q = 0; q < ranks.size(); q++) {
            seen[classOfImage[q]]++;
            correct[classOfImage[q]] += ranks.rank(q) == 0 ? 1 : 0;
        }
        double sum = 0;
        int present = 0;
        for (int c = 0; c < classes; c++) {
            if (seen[c] > 0) {
                sum += (double) correct[c] / seen[c];
                present++;
            }
        }
        return sum / present;
    }

    /**
     * @param images          [N, D] unit rows
     * @param classEmbeddings [C, D] unit rows, row c for class c
     */
    public static EvalResults evaluate(INDArray images, INDArray classEmbeddings, int[] classOfImage,
                                       List<Integer> ks, String split, RankEngine engine) {
        int classes = (int) classEmbeddings.rows();
        if (images.rows() != classOfImage.length) {
            throw new IllegalArgumentException(images.rows() + " images but " + classOfImage.length + " labels");
        }
        if (classOfImage.length == 0) {
            throw new IllegalArgumentException("no images to classify");
        }
        QueryRanks ranks = engine.ranks(images, classEmbeddings, Relevance.classification(classOfImage, classes));
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int k : ks) {
            metrics.put("acc" + k, accuracyAt(ranks, k));
        }
        metrics.put("mean_per_class_recall", meanPerClassRecall(ranks, classOfImage, classes));
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("images", (long) classOfImage.length);
        sizes.put("classes", (long) classes);
        return new EvalResults(TASK, split, sizes, metrics, RankComputation.TIE_RULE);
    }
}
