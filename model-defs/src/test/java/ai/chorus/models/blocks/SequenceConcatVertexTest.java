package ai.chorus.models.blocks;

import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;
import java.util.Random;

import static ai.chorus.models.blocks.BlockTestSupport.assertBitIdentical;
import static ai.chorus.models.blocks.BlockTestSupport.gaussian;
import static ai.chorus.models.blocks.BlockTestSupport.lengthsMask;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(BlockTestSupport.DoublePrecision.class)
class SequenceConcatVertexTest {

    private static final int B = 3, C = 4, TA = 3, TB = 5;

    /**
     * a [B, 2, Ta] and b [B, C, Tb], each through a TokenLinear to C (so that both epsilons reach parameters);
     * joined along time -> transformer block (uses the joined mask) -> masked mean -> output. {@code tA}/{@code tB}
     * are the graph input types' lengths (-1: unknown).
     */
    private static ComputationGraph net(long tA, long tB) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.DOUBLE)
                .updater(new NoOp()).graphBuilder().addInputs("a", "b")
                .setInputTypes(tA > 0 ? InputType.recurrent(2, tA) : InputType.recurrent(2),
                        tB > 0 ? InputType.recurrent(C, tB) : InputType.recurrent(C))
                .addLayer("aproj", new TokenLinear.Builder().nOut(C).build(), "a")
                .addLayer("bproj", new TokenLinear.Builder().nOut(C).build(), "b")
                .addVertex("cat", SequenceConcatVertex.builder().build(), "aproj", "bproj")
                .addLayer("enc", new TransformerEncoderLayer.Builder().nIn(C).nHeads(2).mlpRatio(1).build(), "cat")
                .addLayer("pool", new SequencePooling(SequencePooling.Mode.MEAN_MASKED), "enc")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "pool")
                .setOutputs("out").build();
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        return g;
    }

    @Test
    void joinsAlongTimeInInputOrder() {
        ComputationGraph g = net(TA, TB);
        Random r = new Random(1);
        INDArray a = gaussian(r, DataType.DOUBLE, B, 2, TA);
        INDArray b = gaussian(r, DataType.DOUBLE, B, C, TB);
        Map<String, INDArray> acts = g.feedForward(new INDArray[] {a, b}, false);
        INDArray cat = acts.get("cat");
        assertEquals(3, cat.rank());
        assertEquals(TA + TB, cat.size(2));
        assertEquals(acts.get("aproj"), cat.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, TA)));
        assertEquals(acts.get("bproj"), cat.get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(TA, TA + TB)));
        SequenceConcatVertex v = (SequenceConcatVertex) g.getConfiguration().getVertices().get("cat");
        assertEquals(TA, v.getLengths()[0], "lengths come from the input types");
        assertEquals(TB, v.getLengths()[1]);
    }

    @Test
    void anInputWithoutMaskCountsAsAllReal() {
        ComputationGraph g = net(TA, TB);
        INDArray mb = lengthsMask(DataType.DOUBLE, TB, 5, 2, 1);
        INDArray m = g.getVertex("cat").feedForwardMaskArrays(new INDArray[] {null, mb}, MaskState.Active, B)
                .getFirst();
        INDArray expected = Nd4j.hstack(Nd4j.ones(DataType.DOUBLE, B, TA), mb);
        assertEquals(expected, m);
        INDArray ma = lengthsMask(DataType.DOUBLE, TA, 1, 3, 2);
        assertEquals(Nd4j.hstack(ma, mb), g.getVertex("cat").feedForwardMaskArrays(new INDArray[] {ma, mb},
                MaskState.Active, B).getFirst());
        assertNull(g.getVertex("cat").feedForwardMaskArrays(new INDArray[] {null, null}, MaskState.Active, B)
                .getFirst());
    }

    @Test
    void gradientCheckWithAMaskOnOneInput() {
        ComputationGraph g = net(TA, TB);
        Random r = new Random(2);
        INDArray a = gaussian(r, DataType.DOUBLE, B, 2, TA);
        INDArray b = gaussian(r, DataType.DOUBLE, B, C, TB);
        INDArray y = gaussian(r, DataType.DOUBLE, B, 2);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {a, b},
                new INDArray[] {null, lengthsMask(DataType.DOUBLE, TB, 5, 2, 1)}, new INDArray[] {y});
    }

    @Test
    void gradientCheckWithMasksOnBothAndWithout() {
        ComputationGraph g = net(TA, TB);
        Random r = new Random(3);
        INDArray a = gaussian(r, DataType.DOUBLE, B, 2, TA);
        INDArray b = gaussian(r, DataType.DOUBLE, B, C, TB);
        INDArray y = gaussian(r, DataType.DOUBLE, B, 2);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {a, b}, new INDArray[] {
                lengthsMask(DataType.DOUBLE, TA, 1, 3, 2), lengthsMask(DataType.DOUBLE, TB, 4, 5, 2)},
                new INDArray[] {y});
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {a, b}, null, new INDArray[] {y});
    }

    @Test
    void paddingOfTheMaskedInputChangesNothingButRealTokensDo() {
        ComputationGraph g = net(TA, -1);
        Random r = new Random(4);
        INDArray a = gaussian(r, DataType.DOUBLE, B, 2, TA);
        INDArray b = gaussian(r, DataType.DOUBLE, B, C, TB);
        int[] lengths = {5, 2, 1};
        INDArray ref = g.output(false, new INDArray[] {a, b}, new INDArray[] {null,
                lengthsMask(DataType.DOUBLE, TB, lengths)})[0];
        // Garbage in the padding, and three more padded steps.
        INDArray longer = gaussian(r, DataType.DOUBLE, B, C, TB + 3).muli(10);
        for (int i = 0; i < B; i++) {
            longer.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.interval(0, lengths[i]))
                    .assign(b.get(NDArrayIndex.point(i), NDArrayIndex.all(), NDArrayIndex.interval(0, lengths[i])));
        }
        INDArray padded = g.output(false, new INDArray[] {a, longer}, new INDArray[] {null,
                lengthsMask(DataType.DOUBLE, TB + 3, lengths)})[0];
        assertTrue(ref.equalsWithEps(padded, 1e-10), "padding changed the output: " + ref + " vs " + padded);
        // A real token of the last sample does change its output (the check above can fail).
        longer.putScalar(new long[] {2, 0, 0}, 7.0);
        INDArray changed = g.output(false, new INDArray[] {a, longer}, new INDArray[] {null,
                lengthsMask(DataType.DOUBLE, TB + 3, lengths)})[0];
        assertTrue(changed.getRow(2).sub(ref.getRow(2)).amaxNumber().doubleValue() > 1e-6);
    }

    @Test
    void anUnmaskedInputOfUnknownLengthIsNamed() {
        ComputationGraph g = net(-1, -1);
        Random r = new Random(5);
        INDArray a = gaussian(r, DataType.DOUBLE, B, 2, TA);
        INDArray b = gaussian(r, DataType.DOUBLE, B, C, TB);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> g.output(false,
                new INDArray[] {a, b}, new INDArray[] {null, lengthsMask(DataType.DOUBLE, TB, 5, 2, 1)}));
        assertTrue(e.getMessage().contains("input 0 has no mask and no known time length"), e.getMessage());
        // With its length configured it works.
        SequenceConcatVertex v = SequenceConcatVertex.builder().lengths(TA, -1).build();
        assertEquals(-1, v.getLengths()[1]);
        assertThrows(IllegalArgumentException.class, () -> SequenceConcatVertex.builder().lengths(0, 3));
    }

    @Test
    void sequencesOfDifferentWidthsAreRefused() {
        InvalidInputTypeException e = assertThrows(InvalidInputTypeException.class, () -> new SequenceConcatVertex()
                .getOutputType(0, InputType.recurrent(4, 3), InputType.recurrent(5, 2)));
        assertTrue(e.getMessage().contains("project them to one width"), e.getMessage());
        assertThrows(InvalidInputTypeException.class, () -> new SequenceConcatVertex()
                .getOutputType(0, InputType.recurrent(4, 3), InputType.feedForward(4)));
        assertEquals(InputType.recurrent(4, 5, RNNFormat.NCW), new SequenceConcatVertex()
                .getOutputType(0, InputType.recurrent(4, 3), InputType.recurrent(4, 2)));
    }

    @Test
    void jsonAndSerializerRoundTrips() throws Exception {
        ComputationGraph g = net(TA, TB);
        BlockTestSupport.assertJsonRoundTrip(g.getConfiguration());
        SequenceConcatVertex v = (SequenceConcatVertex) g.getConfiguration().getVertices().get("cat");
        assertEquals(v, v.clone());
        Random r = new Random(6);
        INDArray[] x = {gaussian(r, DataType.DOUBLE, B, 2, TA), gaussian(r, DataType.DOUBLE, B, C, TB)};
        INDArray[] masks = {null, lengthsMask(DataType.DOUBLE, TB, 5, 2, 1)};
        ComputationGraph back = BlockTestSupport.assertSerializerRoundTrip(g, x, masks);
        assertBitIdentical(g.output(false, x, masks)[0], back.output(false, x, masks)[0], "restored output");
    }
}
