package ai.chorus.train;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Graphs kept alive in an executor JVM between rounds, so that a round costs a parameter copy, not a graph build
 * (building allocates every array and initialises weights). Keyed by the configuration's JSON; a task borrows a
 * graph for the round and gives it back, so tasks running side by side in one executor never share one. Only the
 * latest configuration's graphs are kept.
 */
final class WorkerGraphs {
    private static final Map<String, ConcurrentLinkedDeque<ComputationGraph>> POOLS = new ConcurrentHashMap<>();

    private WorkerGraphs() {
    }

    static ComputationGraph borrow(String configurationJson) {
        // One run at a time per executor: graphs of an earlier configuration (an earlier run in this JVM) are
        // dropped rather than kept alive forever.
        POOLS.keySet().removeIf(k -> !k.equals(configurationJson));
        ComputationGraph graph = POOLS.computeIfAbsent(configurationJson, k -> new ConcurrentLinkedDeque<>()).pollFirst();
        if (graph != null) {
            return graph;
        }
        graph = new ComputationGraph(ComputationGraphConfiguration.fromJson(configurationJson));
        graph.init();
        return graph;
    }

    static void giveBack(String configurationJson, ComputationGraph graph) {
        POOLS.computeIfAbsent(configurationJson, k -> new ConcurrentLinkedDeque<>()).addFirst(graph);
    }
}
