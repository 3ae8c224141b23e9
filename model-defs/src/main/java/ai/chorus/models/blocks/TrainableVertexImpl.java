package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.TrainingConfig;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Collections;
import java.util.Map;

/**
 * Runtime base of the Chorus vertices that own parameters ({@link TrainableVertexConfig}): the plumbing DL4J
 * asks of every such vertex (its config as the updater's training config, the parameter table and views) lives
 * here once; a subclass lays out its parameters and does its forward and explicit backward.
 */
public abstract class TrainableVertexImpl<C extends TrainableVertexConfig> extends LayerlessVertexImpl {
    protected final C conf;
    /** The vertex's slice of the graph's flat parameter vector. */
    protected final INDArray params;
    protected Map<String, INDArray> paramTable;
    /** The vertex's slice of the graph's flat gradient vector, set by {@link #setBackpropGradientsViewArray}. */
    protected INDArray gradientView;

    protected TrainableVertexImpl(ComputationGraph graph, String name, int vertexIndex, DataType dataType, C conf,
                                  INDArray paramsView) {
        super(graph, name, vertexIndex, dataType);
        this.conf = conf;
        this.params = paramsView;
    }

    /** Named views into {@link #params}, in flat-view order. */
    protected void setParamTable(Map<String, INDArray> table) {
        this.paramTable = Collections.unmodifiableMap(table);
    }

    @Override
    public Map<String, INDArray> paramTable(boolean backpropOnly) {
        return paramTable;
    }

    @Override
    public TrainingConfig getConfig() {
        return conf;
    }

    @Override
    public INDArray params() {
        return params;
    }

    @Override
    public INDArray getGradientsViewArray() {
        return gradientView;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(name=" + vertexName + ", " + conf + ")";
    }
}
