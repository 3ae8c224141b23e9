package ai.chorus.embed;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;

/**
 * Trained graphs kept in an executor JVM, keyed by the hash of the model's bytes: the model is deserialised once per
 * executor (per concurrent task), not once per partition. Not keyed by broadcast id: ids restart with every
 * SparkContext, so a later job in the same JVM would get an earlier job's model. A task borrows a graph and gives it
 * back; two tasks never share one (a graph's forward pass is not thread-safe). Graphs of other models are dropped.
 */
final class ExecutorGraphs {
    private static final Map<String, ConcurrentLinkedDeque<ComputationGraph>> POOLS = new ConcurrentHashMap<>();

    private ExecutorGraphs() {
    }

    static ComputationGraph borrow(String modelHash, Supplier<ComputationGraph> restore) {
        POOLS.keySet().removeIf(k -> !k.equals(modelHash));
        ComputationGraph graph = POOLS.computeIfAbsent(modelHash, k -> new ConcurrentLinkedDeque<>()).pollFirst();
        return graph != null ? graph : restore.get();
    }

    static void giveBack(String modelHash, ComputationGraph graph) {
        POOLS.computeIfAbsent(modelHash, k -> new ConcurrentLinkedDeque<>()).addFirst(graph);
    }
}
