package ai.chorus.train;

import ai.chorus.models.ModelIO;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each modality's embedding of a minibatch (the vertices {@link ModelIO#embeddings()} names), in inference mode, with
 * the batch's own feature masks. The one way evaluation, retrieval and embedding jobs should read them, because the
 * obvious DL4J call is wrong: {@code ComputationGraph.feedForward(features, train)} takes no masks and uses the
 * graph's current ones, which are none after {@code fit} (text is then pooled at a padding position) and those of
 * another batch after {@code score(batch)} or {@code output(layers, train, features, masks)} (which leave theirs
 * set). Either way the text embeddings are wrong without any error, and an evaluation that follows a
 * {@code score} of a random minibatch changes from run to run.
 */
public final class Embeddings {
    private Embeddings() {
    }

    /**
     * Modality to embedding [B, D] (detached from any workspace), modalities in name order. Leaves no masks on the
     * graph.
     */
    public static Map<String, INDArray> of(ComputationGraph graph, ModelIO io, MultiDataSet batch) {
        Map<String, String> vertices = new TreeMap<>(io.embeddings());
        List<String> names = new ArrayList<>(vertices.values());
        INDArray[] out;
        try {
            out = graph.output(names, false, batch.getFeatures(), batch.getFeaturesMaskArrays());
        } finally {
            graph.clearLayerMaskArrays();
        }
        Map<String, INDArray> embeddings = new LinkedHashMap<>();
        int i = 0;
        for (String modality : vertices.keySet()) {
            embeddings.put(modality, out[i++]);
        }
        return embeddings;
    }
}
