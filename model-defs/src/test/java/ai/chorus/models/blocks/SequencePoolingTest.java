package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;

@ExtendWith(BlockTestSupport.DoublePrecision.class)
class SequencePoolingTest {

    private static final int B = 5, C = 3, T = 6;
    /** Ragged: full, short, a hole (last real is 4), a single real position, no real position. */
    private static final double[][] MASK = {
            {1, 1, 1, 1, 1, 1},
            {1, 1, 0, 0, 0, 0},
            {1, 0, 1, 1, 1, 0},
            {1, 0, 0, 0, 0, 0},
            {0, 0, 0, 0, 0, 0}};
    private static final int[] LAST = {5, 1, 4, 0, 0};

    private static ComputationGraph graph(SequencePooling.Mode mode) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder().addInputs("seq").setInputTypes(InputType.recurrent(C, T))
                .addLayer("pos", new LearnedPositions.Builder().initStd(0.5).build(), "seq")
                .addLayer("pool", new SequencePooling.Builder().mode(mode).build(), "pos")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.TANH).build(), "pool")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    private static Layer poolLayer(SequencePooling.Mode mode, INDArray mask) {
        Layer layer = graph(mode).getLayer("pool");
        layer.feedForwardMaskArray(mask, MaskState.Active, B);
        return layer;
    }

    @Test
    void lastValidPicksExactlyTheLastRealPosition() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, B, C, T);
        INDArray mask = Nd4j.create(MASK);
        Layer pool = poolLayer(SequencePooling.Mode.LAST_VALID, mask);
        INDArray out = pool.activate(x, true, LayerWorkspaceMgr.noWorkspaces());
        for (int b = 0; b < B; b++) {
            assertEquals(x.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.point(LAST[b])),
                    out.getRow(b), "sample " + b);
        }
        // The gradient reaches the pooled position only.
        INDArray eps = Nd4j.rand(DataType.DOUBLE, B, C);
        INDArray epsIn = pool.backpropGradient(eps, LayerWorkspaceMgr.noWorkspaces()).getSecond();
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                INDArray col = epsIn.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.point(t));
                assertEquals(t == LAST[b] ? eps.getRow(b) : Nd4j.zeros(DataType.DOUBLE, C), col,
                        "sample " + b + " position " + t);
            }
        }
    }

    @Test
    void lastValidWithoutMaskIsTheLastPosition() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, B, C, T);
        INDArray out = poolLayer(SequencePooling.Mode.LAST_VALID, null)
                .activate(x, false, LayerWorkspaceMgr.noWorkspaces());
        assertEquals(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(T - 1)), out);
    }

    @Test
    void firstAndMeanMasked() {
        INDArray x = Nd4j.rand(DataType.DOUBLE, B, C, T);
        INDArray mask = Nd4j.create(MASK);
        INDArray first = poolLayer(SequencePooling.Mode.FIRST, mask).activate(x, false,
                LayerWorkspaceMgr.noWorkspaces());
        assertEquals(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0)), first);

        INDArray mean = poolLayer(SequencePooling.Mode.MEAN_MASKED, mask).activate(x, false,
                LayerWorkspaceMgr.noWorkspaces());
        for (int b = 0; b < B; b++) {
            double n = 0;
            for (int t = 0; t < T; t++) {
                n += MASK[b][t];
            }
            for (int c = 0; c < C; c++) {
                double sum = 0;
                for (int t = 0; t < T; t++) {
                    sum += MASK[b][t] * x.getDouble(b, c, t);
                }
                assertEquals(n == 0 ? 0 : sum / n, mean.getDouble(b, c), 1e-12, "sample " + b);
            }
        }
        INDArray meanNoMask = poolLayer(SequencePooling.Mode.MEAN_MASKED, null).activate(x, false,
                LayerWorkspaceMgr.noWorkspaces());
        assertEquals(x.mean(2), meanNoMask);
    }

    @ParameterizedTest
    @EnumSource(SequencePooling.Mode.class)
    void paddingContentChangesNothing(SequencePooling.Mode mode) {
        ComputationGraph g = graph(mode);
        INDArray mask = Nd4j.create(MASK).getRows(0, 1, 2, 3); // every sample with at least one real position
        INDArray x1 = Nd4j.rand(DataType.DOUBLE, 4, C, T);
        INDArray x2 = x1.dup();
        INDArray noise = Nd4j.rand(DataType.DOUBLE, 4, C, T).muli(100);
        for (int b = 0; b < 4; b++) {
            for (int t = 0; t < T; t++) {
                if (mask.getDouble(b, t) == 0) {
                    x2.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.point(t))
                            .assign(noise.get(NDArrayIndex.point(b), NDArrayIndex.all(), NDArrayIndex.point(t)));
                }
            }
        }
        assertEquals(g.output(false, new INDArray[] {x1}, new INDArray[] {mask})[0],
                g.output(false, new INDArray[] {x2}, new INDArray[] {mask})[0]);
    }

    @ParameterizedTest
    @EnumSource(SequencePooling.Mode.class)
    void gradientsWithRaggedMasks(SequencePooling.Mode mode) {
        // Also the gradient check of LearnedPositions (masked positions get no gradient).
        ComputationGraph g = graph(mode);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 4, C, T);
        INDArray mask = Nd4j.create(MASK).getRows(0, 1, 2, 3);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 4, 2);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {x}, new INDArray[] {mask}, new INDArray[] {y});
    }

    @Test
    void jsonRoundTrip() {
        ComputationGraph g = graph(SequencePooling.Mode.LAST_VALID);
        BlockTestSupport.assertJsonRoundTrip(g.getConfiguration());
        SequencePooling conf = (SequencePooling) g.getLayer("pool").conf().getLayer();
        assertEquals(conf, conf.clone());
        assertEquals(SequencePooling.Mode.LAST_VALID, conf.clone().getMode());
    }
}
