package ai.chorus.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.Serializable;

/**
 * What parameter averaging moves between driver and workers: all parameters (vertex parameters included:
 * {@code ComputationGraph.params()}, not {@code numParams()}) and the whole updater state (Adam's moments), flat,
 * plus the global optimizer step the next fit starts at (it drives the learning-rate schedule and Adam's bias
 * correction). Plain float arrays: Spark serialises them in bulk, and they do not pin off-heap memory.
 */
public record ModelState(float[] params, float[] updaterState, int iteration) implements Serializable {

    public static ModelState of(ComputationGraph graph) {
        INDArray updater = graph.getUpdater(true).getStateViewArray();
        return new ModelState(graph.params().toFloatVector(),
                updater == null ? new float[0] : updater.toFloatVector(), graph.getIterationCount());
    }

    /** Overwrites the graph's parameters, updater state and iteration count with this state. */
    public void applyTo(ComputationGraph graph) {
        INDArray p = graph.params();
        if (p.length() != params.length) {
            throw new IllegalStateException("model has " + p.length() + " parameters, state has " + params.length);
        }
        p.assign(Nd4j.createFromArray(params).castTo(p.dataType()));
        INDArray u = graph.getUpdater(true).getStateViewArray();
        long have = u == null ? 0 : u.length();
        if (have != updaterState.length) {
            throw new IllegalStateException("updater state has " + have + " values, state has " + updaterState.length);
        }
        if (u != null) {
            u.assign(Nd4j.createFromArray(updaterState).castTo(u.dataType()));
        }
        graph.getConfiguration().setIterationCount(iteration);
    }
}
