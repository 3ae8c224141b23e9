package ai.chorus.train;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses to start a run that cannot fit ND4J's off-heap memory, instead of letting executors die mid-run with
 * JavaCPP's "Cannot allocate" (dl4j-spark users' most common surprise). The need is measured, not guessed: one
 * forward and backward pass of the real model on a real minibatch on the driver (gradients only, the parameters
 * do not move), after which the thread's DL4J workspaces hold what a training step needs besides the flat
 * parameter, gradient and updater-state arrays, which are added. (JavaCPP's own byte counter does not see ND4J's
 * CPU buffers, so it cannot be used.) In local mode the workers share the driver's JVM, so the need counts once per worker plus
 * the driver's own copy.
 */
final class OffHeapBudget {
    private static final Logger LOG = LoggerFactory.getLogger(OffHeapBudget.class);

    private OffHeapBudget() {
    }

    /**
     * @param limitBytes the configured per-executor limit, or 0 for JavaCPP's ({@code Pointer.maxBytes()})
     * @param copies     graphs that will live in one JVM (local mode: workers + 1; on a cluster: 1)
     */
    static long check(ComputationGraph graph, MultiDataSet batch, long limitBytes, int copies) {
        long limit = limitBytes > 0 ? limitBytes : Pointer.maxBytes();
        try {
            graph.setInputs(batch.getFeatures());
            graph.setLabels(batch.getLabels());
            graph.setLayerMaskArrays(batch.getFeaturesMaskArrays(), batch.getLabelsMaskArrays());
            graph.computeGradientAndScore();
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException(message(batch, -1, limit, copies) + ": " + e.getMessage(), e);
        } finally {
            graph.clear();
        }
        long need = bytes(graph.params()) + bytes(graph.getFlattenedGradients())
                + bytes(graph.getUpdater(true).getStateViewArray());
        for (MemoryWorkspace ws : Nd4j.getWorkspaceManager().getAllWorkspacesForCurrentThread()) {
            need += ws.getCurrentSize();
        }
        if (limit > 0 && need * copies > limit) {
            throw new IllegalArgumentException(message(batch, need, limit, copies));
        }
        LOG.info("off-heap: one model training at batch {} needs {} MiB (measured), x{} in one JVM = {} MiB of the"
                + " {} MiB limit", rows(batch), need >> 20, copies, (need * copies) >> 20, limit >> 20);
        return need;
    }

    private static long bytes(INDArray a) {
        return a == null ? 0 : a.length() * a.dataType().width();
    }

    private static long rows(MultiDataSet batch) {
        INDArray f = batch.getFeatures(0);
        return f.size(0);
    }

    private static String message(MultiDataSet batch, long need, long limit, int copies) {
        return "the model does not fit the off-heap memory: training at chorus.train.batch-size = " + rows(batch)
                + (need > 0 ? " needs " + (need >> 20) + " MiB per copy x " + copies + " copies in one JVM" : "")
                + ", the limit is " + (limit >> 20) + " MiB (chorus.train.off-heap-limit-bytes, or JavaCPP's"
                + " -Dorg.bytedeco.javacpp.maxbytes / the executor's -Xmx); lower the batch size or the model size,"
                + " or raise the limit (spark.executor.memoryOverhead on a cluster)";
    }
}
