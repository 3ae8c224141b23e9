package ai.chorus.tests;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeSet;

/**
 * Starts one model from another's trained towers: every parameter array of a vertex that both graphs have, under the
 * same vertex and parameter name and with the same shape, is copied. Chorus builders name tower vertices by the
 * tower ({@code imagePatches}, {@code text0}, ..., {@code imageEmbedding}; see {@code Towers}), so a classifier built
 * with the same tower settings takes a CLIP's towers this way.
 */
final class TowerTransfer {
    private TowerTransfer() {
    }

    /** Copies the matching parameters of {@code from} into {@code to}; returns the names of the vertices copied. */
    static TreeSet<String> copyMatching(ComputationGraph from, ComputationGraph to) {
        TreeSet<String> copied = new TreeSet<>();
        for (GraphVertex target : to.getVertices()) {
            GraphVertex source = from.getVertex(target.getVertexName());
            if (source == null || target.numParams() == 0 || source.numParams() != target.numParams()) {
                continue;
            }
            Map<String, INDArray> src = params(source);
            Map<String, INDArray> dst = params(target);
            boolean same = src.keySet().equals(dst.keySet()) && dst.entrySet().stream()
                    .allMatch(e -> Arrays.equals(e.getValue().shape(), src.get(e.getKey()).shape()));
            if (same) {
                dst.forEach((name, array) -> array.assign(src.get(name)));
                copied.add(target.getVertexName());
            }
        }
        return copied;
    }

    private static Map<String, INDArray> params(GraphVertex vertex) {
        Layer layer = vertex.hasLayer() ? vertex.getLayer() : null;
        return layer != null ? layer.paramTable(false) : vertex.paramTable(false);
    }
}
