package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Runtime base of every Chorus vertex: DL4J asks each vertex whether it wraps a layer, and ours never do (they
 * compute their forward and explicit backward themselves), so the answer lives here once.
 */
public abstract class LayerlessVertexImpl extends BaseGraphVertex {

    protected LayerlessVertexImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, null, null, dataType);
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }
}
