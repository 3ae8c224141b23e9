package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Random;

import static ai.chorus.models.blocks.BlockTestSupport.gaussian;
import static ai.chorus.models.blocks.BlockTestSupport.lengthsMask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(BlockTestSupport.DoublePrecision.class)
class TokenLinearTest {

    private static final int B = 3, CIN = 3, COUT = 4, T = 5;

    /** x [B, CIN, T] -> {@code projection} (optionally after a transformer block) -> masked mean -> output. */
    private static ComputationGraph net(Layer projection, boolean blockFirst, IUpdater updater) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(updater).graphBuilder().addInputs("x")
                .setInputTypes(InputType.recurrent(CIN, T));
        String in = "x";
        if (blockFirst) {
            // Its output is token-major: the no-copy path of the projection.
            gb.addLayer("block", new TransformerEncoderLayer.Builder().nIn(CIN).nHeads(1).mlpRatio(1).build(), "x");
            in = "block";
        }
        ComputationGraph g = new ComputationGraph(gb.addLayer("proj", projection, in)
                .addLayer("pool", new SequencePooling(SequencePooling.Mode.MEAN_MASKED), "proj")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.TANH).build(), "pool")
                .setOutputs("out").build());
        g.init();
        // Non-zero biases, so that the check covers them.
        g.getLayer("proj").getParam("b").assign(gaussian(new Random(9), DataType.DOUBLE, 1, COUT));
        return g;
    }

    private static ComputationGraph net(boolean blockFirst) {
        return net(new TokenLinear.Builder().nOut(COUT).build(), blockFirst, new NoOp());
    }

    /** x W + b, token by token, from the layer's own parameters. */
    private static INDArray expected(ComputationGraph g, INDArray x) {
        INDArray w = g.getLayer("proj").getParam("W");
        INDArray b = g.getLayer("proj").getParam("b");
        INDArray out = Nd4j.create(DataType.DOUBLE, x.size(0), COUT, x.size(2));
        for (int i = 0; i < x.size(0); i++) {
            for (int t = 0; t < x.size(2); t++) {
                INDArray token = x.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.point(t))
                        .reshape(1, x.size(1));
                out.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.point(t))
                        .assign(token.mmul(w).add(b).reshape(COUT));
            }
        }
        return out;
    }

    @Test
    void mapsEveryTokenAndPassesTheMaskOn() {
        ComputationGraph g = net(false);
        INDArray x = gaussian(new Random(1), DataType.DOUBLE, B, CIN, T);
        INDArray mask = lengthsMask(DataType.DOUBLE, T, 5, 2, 1);
        g.setLayerMaskArrays(new INDArray[] {mask}, null);
        INDArray y = g.feedForward(new INDArray[] {x}, false, false).get("proj");
        assertTrue(expected(g, x).equalsWithEps(y, 1e-12), "x W + b per token");
        assertEquals(mask, g.getLayer("pool").getMaskArray(), "the mask reaches the next layer unchanged");
        g.clearLayerMaskArrays();
        assertEquals(4L, ((TokenLinear) g.getLayer("proj").conf().getLayer()).getNOut());
    }

    @Test
    void gradientCheckWithAMaskOnACopiedAndOnATokenMajorInput() {
        Random r = new Random(2);
        INDArray x = gaussian(r, DataType.DOUBLE, B, CIN, T);
        INDArray y = gaussian(r, DataType.DOUBLE, B, 2);
        INDArray[] masks = {lengthsMask(DataType.DOUBLE, T, 5, 2, 4)};
        BlockTestSupport.assertGradientsOk(net(false), new INDArray[] {x}, masks, new INDArray[] {y});
        BlockTestSupport.assertGradientsOk(net(true), new INDArray[] {x}, masks, new INDArray[] {y});
    }

    /**
     * Why this layer exists: DL4J M2.1's TimeDistributed(DenseLayer) under a padding mask zeroes rows chosen by a
     * time-major flattening of the mask while the activations are flattened token-major, so real tokens come out
     * wrong. If this test fails, DL4J got fixed and TimeDistributed would do.
     */
    @Test
    void dl4jTimeDistributedDenseGetsRealTokensWrongUnderAMask() {
        Layer dense = new TimeDistributed(new DenseLayer.Builder().nOut(COUT).activation(Activation.IDENTITY).build(),
                RNNFormat.NCW);
        ComputationGraph g = net(dense, false, new NoOp());
        INDArray x = gaussian(new Random(4), DataType.DOUBLE, B, CIN, T);
        int[] lengths = {5, 2, 1};
        g.setLayerMaskArrays(new INDArray[] {lengthsMask(DataType.DOUBLE, T, lengths)}, null);
        INDArray y = g.feedForward(new INDArray[] {x}, false, false).get("proj");
        g.clearLayerMaskArrays();
        INDArray want = expected(g, x);
        boolean allRealTokensRight = true;
        for (int i = 0; i < B; i++) {
            INDArray real = y.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.interval(0, lengths[i]));
            allRealTokensRight &= real.equalsWithEps(want.get(NDArrayIndex.point(i), NDArrayIndex.all(),
                    NDArrayIndex.interval(0, lengths[i])), 1e-12);
        }
        assertFalse(allRealTokensRight, "TimeDistributed(Dense) now handles masks: TokenLinear could go");
    }

    @Test
    void jsonSerializerAndTheGraphsUpdater() throws Exception {
        ComputationGraph g = net(new TokenLinear.Builder().nOut(COUT).build(), true, new Adam(1e-2));
        ComputationGraphConfiguration back = BlockTestSupport.assertJsonRoundTrip(g.getConfiguration());
        TokenLinear conf = (TokenLinear) g.getLayer("proj").conf().getLayer();
        assertEquals(new Adam(1e-2), conf.getIUpdater(), "the graph's updater reaches the layer");
        assertEquals(CIN, conf.getNIn(), "nIn from the input type");
        assertEquals(g.getConfiguration(), back);
        INDArray x = gaussian(new Random(5), DataType.DOUBLE, B, CIN, T);
        INDArray[] masks = {lengthsMask(DataType.DOUBLE, T, 5, 2, 1)};
        g.fit(new org.nd4j.linalg.dataset.MultiDataSet(new INDArray[] {x},
                new INDArray[] {gaussian(new Random(6), DataType.DOUBLE, B, 2)}, masks, null));
        BlockTestSupport.assertSerializerRoundTrip(g, new INDArray[] {x}, masks);
    }
}
