package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;

/**
 * Changes the learning rate of a built graph everywhere it lives. DL4J's {@code ComputationGraph.setLearningRate}
 * only reaches each layer's main updater: not the updaters of graph vertices with parameters (a Chorus
 * {@link TrainableVertexConfig} keeps its own copy, e.g. the CLIP logit scale of {@link ContrastiveLogitsVertex}),
 * and not a layer's separate bias updater. Those would go on at the old rate while everything else is, say,
 * decayed to zero. A learning-rate schedule set before the graph is built ({@code new Adam(schedule)}) is copied
 * into every updater and needs none of this.
 */
public final class LearningRates {
    private LearningRates() {
    }

    /** Sets a fixed learning rate on every updater of the graph (layers, bias updaters, trainable vertices). */
    public static void set(ComputationGraph graph, double learningRate) {
        apply(graph, learningRate, null);
        graph.setLearningRate(learningRate); // layers, and rebuilds the updater blocks from all configurations
    }

    /** Sets a learning-rate schedule on every updater of the graph (layers, bias updaters, trainable vertices). */
    public static void set(ComputationGraph graph, ISchedule schedule) {
        apply(graph, Double.NaN, schedule);
        graph.setLearningRate(schedule);
    }

    /** Through the configurations the graph's updater reads (those of its runtime layers and vertices). */
    private static void apply(ComputationGraph graph, double learningRate, ISchedule schedule) {
        for (GraphVertex vertex : graph.getVertices()) {
            if (vertex.getConfig() instanceof TrainableVertexConfig trainable) {
                change(trainable.getUpdater(), learningRate, schedule);
                change(trainable.getBiasUpdater(), learningRate, schedule);
            }
        }
        for (org.deeplearning4j.nn.api.Layer layer : graph.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer base) {
                change(base.getBiasUpdater(), learningRate, schedule);
            }
        }
    }

    private static void change(IUpdater updater, double learningRate, ISchedule schedule) {
        if (updater != null && updater.hasLearningRate()) {
            updater.setLrAndSchedule(learningRate, schedule == null ? null : schedule.clone());
        }
    }
}
