package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(BlockTestSupport.DoublePrecision.class)
class TokenEmbeddingTest {

    private static final int VOCAB = 7; // small, so ids repeat and the scatter-add must accumulate

    private static ComputationGraphConfiguration graph(InputType ids, long maxLength, SequencePooling.Mode pooling) {
        return new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.DOUBLE).updater(new NoOp())
                .graphBuilder().addInputs("ids").setInputTypes(ids)
                .addLayer("tok", new TokenEmbedding.Builder().vocabSize(VOCAB).nOut(4).maxLength(maxLength)
                        .initStd(0.5).positionInitStd(0.5).build(), "ids")
                .addLayer("pool", new SequencePooling(pooling), "tok")
                .addLayer("dense", new DenseLayer.Builder().nOut(3).activation(Activation.TANH).build(), "pool")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.IDENTITY).build(), "dense")
                .setOutputs("out").build();
    }

    private static INDArray ids(int b, int t, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.rand(DataType.DOUBLE, b, 1, t).muli(VOCAB).castTo(DataType.INT).castTo(DataType.DOUBLE);
    }

    @Test
    void lookupPlusPositions() {
        ComputationGraph g = new ComputationGraph(graph(InputType.recurrent(1, 5), 0, SequencePooling.Mode.FIRST));
        g.init();
        INDArray x = ids(3, 5, 1);
        INDArray out = g.getLayer("tok").activate(x, false, LayerWorkspaceMgr.noWorkspaces());
        INDArray table = g.getLayer("tok").getParam(TokenEmbedding.TABLE);
        INDArray pos = g.getLayer("tok").getParam(TokenEmbedding.POSITIONS);
        assertEquals(5, pos.size(1), "maxLength taken from the input type");
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < 5; t++) {
                int id = x.getInt(b, 0, t);
                for (int c = 0; c < 4; c++) {
                    assertEquals(table.getDouble(id, c) + pos.getDouble(c, t), out.getDouble(b, c, t), 1e-12);
                }
            }
        }
    }

    @Test
    void gradientsWithRaggedMasksAndLastValidPooling() {
        ComputationGraph g = new ComputationGraph(graph(InputType.recurrent(1, 6), 0,
                SequencePooling.Mode.LAST_VALID));
        g.init();
        INDArray x = ids(4, 6, 2);
        INDArray mask = BlockTestSupport.lengthsMask(DataType.DOUBLE, 6, 6, 3, 1, 5);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 4, 2);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {x}, new INDArray[] {mask}, new INDArray[] {y});
    }

    @Test
    void gradientsForRank2IdsShorterThanMaxLengthWithMeanPooling() {
        // [B, T] ids (feedForward input type), 8 learned positions of which the 5 used get gradient.
        ComputationGraph g = new ComputationGraph(graph(InputType.feedForward(5), 8, SequencePooling.Mode.MEAN_MASKED));
        g.init();
        INDArray x = ids(3, 5, 3).reshape(3, 5);
        INDArray mask = BlockTestSupport.lengthsMask(DataType.DOUBLE, 5, 2, 5, 4);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 2);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {x}, new INDArray[] {mask}, new INDArray[] {y});
    }

    @Test
    void paddingContentChangesNothing() {
        ComputationGraph g = new ComputationGraph(graph(InputType.recurrent(1, 6), 0,
                SequencePooling.Mode.MEAN_MASKED));
        g.init();
        INDArray mask = BlockTestSupport.lengthsMask(DataType.DOUBLE, 6, 2, 6, 4);
        INDArray x1 = ids(3, 6, 4);
        INDArray x2 = x1.dup();
        // Different ids at every padded position.
        for (int b = 0; b < 3; b++) {
            for (int t = 0; t < 6; t++) {
                if (mask.getDouble(b, t) == 0) {
                    x2.putScalar(new int[] {b, 0, t}, (x1.getInt(b, 0, t) + 1 + t) % VOCAB);
                }
            }
        }
        assertTrue(!x1.equals(x2));
        INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 2);
        assertEquals(g.output(false, new INDArray[] {x1}, new INDArray[] {mask})[0],
                g.output(false, new INDArray[] {x2}, new INDArray[] {mask})[0]);
        INDArray grad1 = gradient(g, x1, mask, y);
        INDArray grad2 = gradient(g, x2, mask, y);
        assertEquals(grad1, grad2, "padding must not contribute gradient");
    }

    private static INDArray gradient(ComputationGraph g, INDArray x, INDArray mask, INDArray y) {
        g.setInputs(x);
        g.setLabels(y);
        g.setLayerMaskArrays(new INDArray[] {mask}, null);
        g.computeGradientAndScore();
        INDArray grad = g.gradient().gradient().dup();
        g.clearLayerMaskArrays();
        return grad;
    }

    @Test
    void vocabularyMustBeGiven() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new TokenEmbedding.Builder().vocabSize(1).nOut(4).build());
        assertTrue(e.getMessage().contains("vocabSize must be > 1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TokenEmbedding.Builder().nOut(4).build());
    }

    @Test
    void idsOutsideTheVocabularyAreNamed() {
        ComputationGraph g = new ComputationGraph(graph(InputType.recurrent(1, 3), 0, SequencePooling.Mode.FIRST));
        g.init();
        INDArray x = Nd4j.create(new double[] {1, 2, 3, 4, VOCAB, 0}, new long[] {2, 1, 3});
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> g.output(x));
        assertTrue(e.getMessage().contains("token id 7.0 at sample 1, position 1"), e.getMessage());
        INDArray y = Nd4j.create(new double[] {1, 2.5, 3}, new long[] {1, 1, 3});
        e = assertThrows(IllegalStateException.class, () -> g.output(y));
        assertTrue(e.getMessage().contains("2.5"), e.getMessage());
    }

    @Test
    void jsonAndSerializerRoundTrips() throws Exception {
        ComputationGraphConfiguration conf = graph(InputType.recurrent(1, 6), 0, SequencePooling.Mode.LAST_VALID);
        BlockTestSupport.assertJsonRoundTrip(conf);
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        INDArray mask = BlockTestSupport.lengthsMask(DataType.DOUBLE, 6, 6, 3);
        BlockTestSupport.assertSerializerRoundTrip(g, new INDArray[] {ids(2, 6, 5)}, new INDArray[] {mask});
        TokenEmbedding te = (TokenEmbedding) g.getLayer("tok").conf().getLayer();
        assertEquals(te, te.clone());
        assertEquals(VOCAB, te.getVocabSize());
    }
}
