package ai.chorus.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Image-text retrieval both ways, with CLIP_benchmark's conventions and names: image_retrieval = text queries
 * against all images (a text's hit is its image); text_retrieval = image queries against all texts (an image hits
 * if any of its captions is in the top K).
 */
public final class RetrievalEval {
    public static final String TASK = "zeroshot_retrieval";
    public static final List<Integer> DEFAULT_KS = List.of(1, 5, 10);

    private RetrievalEval() {
    }

    /**
     * CLIP_benchmark's image-text retrieval.
     *
     * @param images      [Ni, D] unit rows
     * @param texts       [Nt, D] unit rows
     * @param imageOfText for every text, the row of its image
     */
    public static EvalResults evaluate(INDArray images, INDArray texts, int[] imageOfText, List<Integer> ks,
                                       String split, RankEngine engine) {
        return evaluatePair("image", images, "text", texts, imageOfText, ks, split, engine).results();
    }

    /** The results of one pair and every query's rank both ways (for histograms and examples). */
    public record PairOutcome(EvalResults results, QueryRanks manyToOne, QueryRanks oneToMany) {
    }

    /**
     * Retrieval both ways between a modality with one row per sample ({@code ones}: images, audio, video) and one
     * with one or more rows per sample ({@code many}: captions; or a second one-per-sample modality with
     * {@code oneOfMany} the identity). A {@code many} query's hit is its sample's row; a {@code ones} query hits if any
     * of its sample's rows is in the top K. Metric names are CLIP_benchmark's, {@code <retrieved modality>_retrieval_*}:
     * text queries over images give {@code image_retrieval_recall@k}, image queries over texts
     * {@code text_retrieval_recall@k}.
     *
     * @param ones      [N1, D] unit rows
     * @param many      [Nm, D] unit rows
     * @param oneOfMany for every row of {@code many}, the row of {@code ones} it belongs to
     */
    public static PairOutcome evaluatePair(String oneModality, INDArray ones, String manyModality, INDArray many,
                                           int[] oneOfMany, List<Integer> ks, String split, RankEngine engine) {
        int n1 = (int) ones.rows();
        if (many.rows() != oneOfMany.length) {
            throw new IllegalArgumentException(many.rows() + " " + manyModality + " rows but " + oneOfMany.length
                    + " " + oneModality + " indices");
        }
        Relevance manyToOne = Relevance.textToImage(oneOfMany, n1);
        Relevance oneToMany = Relevance.imageToText(oneOfMany, n1);
        QueryRanks manyQueries = engine.ranks(many, ones, manyToOne);
        QueryRanks oneQueries = engine.ranks(ones, many, oneToMany);
        String oneRetrieval = oneModality + "_retrieval";
        String manyRetrieval = manyModality + "_retrieval";
        Map<String, Double> metrics = new LinkedHashMap<>();
        RetrievalMetrics.put(metrics, oneRetrieval, manyQueries, ks);
        RetrievalMetrics.put(metrics, manyRetrieval, oneQueries, ks);
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put(oneModality + "s", (long) n1);
        sizes.put(manyModality + "s", (long) oneOfMany.length);
        sizes.put(oneRetrieval + "_queries", (long) oneOfMany.length);
        sizes.put(oneRetrieval + "_candidates", (long) n1);
        sizes.put(manyRetrieval + "_queries", (long) n1);
        sizes.put(manyRetrieval + "_candidates", (long) oneOfMany.length);
        Map<String, Double> chance = new LinkedHashMap<>();
        for (int k : ks) {
            chance.put(oneRetrieval + "_recall@" + k, RetrievalMetrics.chanceRecallAt(manyToOne, k));
            chance.put(manyRetrieval + "_recall@" + k, RetrievalMetrics.chanceRecallAt(oneToMany, k));
        }
        // Not a metric (CLIP_benchmark has no such key): what a random ranking would score, for reading the numbers.
        EvalResults results = new EvalResults(TASK, split, sizes, metrics, RankComputation.TIE_RULE,
                Map.of("chance", chance));
        return new PairOutcome(results, manyQueries, oneQueries);
    }
}
