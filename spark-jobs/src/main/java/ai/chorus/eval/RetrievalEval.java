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
     * @param images      [Ni, D] unit rows
     * @param texts       [Nt, D] unit rows
     * @param imageOfText for every text, the row of its image
     */
    public static EvalResults evaluate(INDArray images, INDArray texts, int[] imageOfText, List<Integer> ks,
                                       String split, RankEngine engine) {
        int ni = (int) images.rows();
        if (texts.rows() != imageOfText.length) {
            throw new IllegalArgumentException(texts.rows() + " texts but " + imageOfText.length + " image indices");
        }
        QueryRanks textQueries = engine.ranks(texts, images, Relevance.textToImage(imageOfText, ni));
        QueryRanks imageQueries = engine.ranks(images, texts, Relevance.imageToText(imageOfText, ni));
        Map<String, Double> metrics = new LinkedHashMap<>();
        RetrievalMetrics.put(metrics, "image_retrieval", textQueries, ks);
        RetrievalMetrics.put(metrics, "text_retrieval", imageQueries, ks);
        Map<String, Long> sizes = new LinkedHashMap<>();
        sizes.put("images", (long) ni);
        sizes.put("texts", (long) imageOfText.length);
        sizes.put("image_retrieval_queries", (long) imageOfText.length);
        sizes.put("image_retrieval_candidates", (long) ni);
        sizes.put("text_retrieval_queries", (long) ni);
        sizes.put("text_retrieval_candidates", (long) imageOfText.length);
        return new EvalResults(TASK, split, sizes, metrics, RankComputation.TIE_RULE);
    }
}
