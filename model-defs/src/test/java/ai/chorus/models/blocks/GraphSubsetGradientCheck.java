package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.LossLayer;
import org.deeplearning4j.nn.updater.graph.ComputationGraphUpdater;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.lossfunctions.impl.LossMCXENT;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A numerical gradient check of a ComputationGraph on {@code maxPerParam} entries spread over each parameter array,
 * the same procedure and tolerances as DL4J's {@code GradientCheckUtil} (central differences with epsilon 1e-6,
 * relative error 1e-3, absolute error below 1e-8 passes), which in M2.1 checks every entry of a graph whatever its
 * {@code subset} setting. Failures are listed in the assertion message (the tests log to a no-op SLF4J).
 */
final class GraphSubsetGradientCheck {
    private static final double EPSILON = 1e-6;
    private static final double MAX_REL_ERROR = 1e-3;
    private static final double MIN_ABS_ERROR = 1e-8;

    private GraphSubsetGradientCheck() {
    }

    static void assertOk(ComputationGraph graph, INDArray[] inputs, INDArray[] inputMasks, INDArray[] labels,
                         INDArray[] labelMasks, int maxPerParam) {
        requireCheckable(graph);
        graph.setInputs(inputs);
        graph.setLabels(labels);
        graph.setLayerMaskArrays(inputMasks, labelMasks);
        graph.computeGradientAndScore();
        Gradient gradient = graph.gradientAndScore().getFirst();
        // As GradientCheckUtil: the updater step (NoOp) applies the minibatch division where DL4J does it.
        new ComputationGraphUpdater(graph).update(gradient, 0, 0, graph.batchSize(), LayerWorkspaceMgr.noWorkspaces());
        INDArray analytic = gradient.gradient().dup();
        INDArray params = graph.params(); // a view: changing it changes the network
        assertEquals(params.length(), analytic.length(), "gradient and parameter vectors differ in length");
        MultiDataSet data = new MultiDataSet(inputs, labels, inputMasks, labelMasks);

        List<String> failures = new ArrayList<>();
        int checked = 0;
        long start = 0;
        for (Map.Entry<String, INDArray> p : graph.paramTable().entrySet()) {
            long n = p.getValue().length();
            long step = Math.max(1, n / maxPerParam);
            for (long i = start; i < start + n; i += step) {
                double original = params.getDouble(i);
                params.putScalar(i, original + EPSILON);
                double plus = graph.score(data, true);
                params.putScalar(i, original - EPSILON);
                double minus = graph.score(data, true);
                params.putScalar(i, original);
                double numerical = (plus - minus) / (2 * EPSILON);
                double backprop = analytic.getDouble(i);
                double abs = Math.abs(backprop - numerical);
                double rel = backprop == 0 && numerical == 0 ? 0 : abs / (Math.abs(numerical) + Math.abs(backprop));
                if (!(rel <= MAX_REL_ERROR) && !(abs < MIN_ABS_ERROR)) {
                    failures.add(p.getKey() + "[" + (i - start) + "]: backprop " + backprop + ", numerical "
                            + numerical + ", relative error " + rel);
                }
                checked++;
            }
            start += n;
        }
        assertEquals(params.length(), start, "the parameter table does not cover the parameter vector");
        assertTrue(failures.isEmpty(), failures.size() + " of " + checked + " checked gradient entries are wrong:\n"
                + String.join("\n", failures));
    }

    /** What GradientCheckUtil requires of a graph, and its softmax-clipping switch-off for exact gradients. */
    private static void requireCheckable(ComputationGraph graph) {
        assertEquals(DataType.DOUBLE, graph.getConfiguration().getDataType(), "gradient checks need a double graph");
        assertEquals(DataType.DOUBLE, graph.params().dataType(), "gradient checks need double parameters");
        for (Map.Entry<String, GraphVertex> v : graph.getConfiguration().getVertices().entrySet()) {
            if (!(v.getValue() instanceof LayerVertex lv)) {
                continue;
            }
            if (lv.getLayerConf().getLayer() instanceof BaseLayer bl && !(bl.getIUpdater() instanceof NoOp)) {
                fail("layer " + v.getKey() + " must use the NoOp updater for a gradient check, got " + bl.getIUpdater());
            }
            if (lv.getLayerConf().getLayer().getIDropout() != null) {
                fail("layer " + v.getKey() + " has dropout; a gradient check needs none");
            }
        }
        for (org.deeplearning4j.nn.api.Layer l : graph.getLayers()) {
            ILossFunction lossFn = l instanceof LossLayer loss ? loss.layerConf().getLossFn()
                    : l.conf().getLayer() instanceof org.deeplearning4j.nn.conf.layers.BaseOutputLayer out
                    ? out.getLossFn() : null;
            if (lossFn instanceof LossMCXENT xent) {
                xent.setSoftmaxClipEps(0.0);
            }
        }
    }
}
