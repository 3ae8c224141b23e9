package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
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
class PatchEmbeddingTest {

    private static ComputationGraphConfiguration graph(int cin, int h, int w, int p, int c, boolean cls,
                                                       SequencePooling.Mode pooling, boolean convInFront) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().seed(42)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .graphBuilder().addInputs("image").setInputTypes(InputType.convolutional(h, w, cin));
        String peInput = "image";
        if (convInFront) {
            // A trainable layer below the patch embedding, so the gradient check also covers its input gradient.
            gb.addLayer("conv", new ConvolutionLayer.Builder(1, 1).nOut(cin).convolutionMode(ConvolutionMode.Same)
                    .activation(Activation.TANH).build(), "image");
            peInput = "conv";
        }
        return gb.addLayer("pe", new PatchEmbedding.Builder().patchSize(p).nOut(c).classToken(cls).initStd(0.5)
                        .biasInit(0.1).build(), peInput)
                .addLayer("pool", new SequencePooling(pooling), "pe")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(3)
                        .activation(Activation.IDENTITY).build(), "pool")
                .setOutputs("out").build();
    }

    @Test
    void matchesBruteForcePerPatchLoops() {
        int b = 2, cin = 2, h = 8, w = 12, p = 4, c = 5;
        ComputationGraph g = new ComputationGraph(graph(cin, h, w, p, c, true, SequencePooling.Mode.FIRST, false));
        g.init();
        INDArray x = Nd4j.rand(DataType.DOUBLE, b, cin, h, w);
        INDArray out = g.getLayer("pe").activate(x, false, LayerWorkspaceMgr.noWorkspaces());

        INDArray wt = g.getLayer("pe").getParam(PatchEmbedding.WEIGHT);
        INDArray bias = g.getLayer("pe").getParam(PatchEmbedding.BIAS);
        INDArray cls = g.getLayer("pe").getParam(PatchEmbedding.CLASS_TOKEN);
        INDArray pos = g.getLayer("pe").getParam(PatchEmbedding.POSITIONS);
        int hp = h / p, wp = w / p;
        assertEquals(3, out.rank());
        assertEquals(b, out.size(0));
        assertEquals(c, out.size(1));
        assertEquals(1 + hp * wp, out.size(2));
        for (int s = 0; s < b; s++) {
            for (int k = 0; k < c; k++) {
                assertEquals(cls.getDouble(k) + pos.getDouble(k, 0), out.getDouble(s, k, 0), 1e-12);
            }
            for (int i = 0; i < hp; i++) {
                for (int j = 0; j < wp; j++) {
                    int token = 1 + i * wp + j;
                    for (int k = 0; k < c; k++) {
                        double z = bias.getDouble(k);
                        int row = 0;
                        for (int ch = 0; ch < cin; ch++) {
                            for (int py = 0; py < p; py++) {
                                for (int px = 0; px < p; px++) {
                                    z += x.getDouble(s, ch, i * p + py, j * p + px) * wt.getDouble(row++, k);
                                }
                            }
                        }
                        assertEquals(z + pos.getDouble(k, token), out.getDouble(s, k, token), 1e-12,
                                "sample " + s + " patch (" + i + "," + j + ") channel " + k);
                    }
                }
            }
        }
    }

    @Test
    void gradientsWithClassTokenAndInputGradient() {
        ComputationGraph g = new ComputationGraph(graph(2, 4, 6, 2, 3, true, SequencePooling.Mode.MEAN_MASKED, true));
        g.init();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 3, 2, 4, 6);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 3, 3);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {x}, null, new INDArray[] {y});
    }

    @Test
    void gradientsThroughClassTokenOnly() {
        ComputationGraph g = new ComputationGraph(graph(1, 4, 8, 4, 3, true, SequencePooling.Mode.FIRST, false));
        g.init();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 1, 4, 8);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 2, 3);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {x}, null, new INDArray[] {y});
    }

    @Test
    void gradientsWithoutClassToken() {
        ComputationGraph g = new ComputationGraph(graph(2, 4, 4, 2, 3, false, SequencePooling.Mode.LAST_VALID, true));
        g.init();
        assertEquals(4, g.getLayer("pe").getParam(PatchEmbedding.POSITIONS).size(1));
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 2, 4, 4);
        INDArray y = Nd4j.rand(DataType.DOUBLE, 2, 3);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {x}, null, new INDArray[] {y});
    }

    @Test
    void sizesNotMultipleOfPatchAreAConfigError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> graph(1, 64, 500, 16, 8, true, SequencePooling.Mode.FIRST, false));
        assertTrue(e.getMessage().contains("64") && e.getMessage().contains("500")
                && e.getMessage().contains("patchSize 16"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PatchEmbedding.Builder().nOut(4).build());
    }

    @Test
    void outputTypesForImagesAndLogMel() {
        PatchEmbedding image = new PatchEmbedding.Builder().patchSize(8).nOut(256).build();
        assertEquals(InputType.recurrent(256, 65), image.getOutputType(0, InputType.convolutional(64, 64, 3)));
        PatchEmbedding audio = new PatchEmbedding.Builder().patchSize(16).nOut(256).classToken(false).build();
        assertEquals(InputType.recurrent(256, 4 * 31), audio.getOutputType(0, InputType.convolutional(64, 496, 1)));
    }

    @Test
    void weightDecayOnMatricesOnly() {
        // open_clip's rule: decay the projection and the positions, not the bias and the class token.
        // (Set on the layer: DL4J M2.1's global weightDecay lands twice in every layer of a graph.)
        PatchEmbedding.Builder builder = new PatchEmbedding.Builder().patchSize(4).nOut(4);
        builder.weightDecay(0.1);
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("image").setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("pe", builder.build(), "image")
                .addLayer("pool", new SequencePooling(SequencePooling.Mode.FIRST), "pe")
                .addLayer("out", new OutputLayer.Builder().nOut(2).build(), "pool").setOutputs("out").build();
        PatchEmbedding pe = (PatchEmbedding) ((org.deeplearning4j.nn.conf.graph.LayerVertex) conf.getVertices()
                .get("pe")).getLayerConf().getLayer();
        for (String key : new String[] {PatchEmbedding.WEIGHT, PatchEmbedding.POSITIONS}) {
            assertEquals(1, pe.getRegularizationByParam(key).size(), key);
        }
        for (String key : new String[] {PatchEmbedding.BIAS, PatchEmbedding.CLASS_TOKEN}) {
            assertTrue(pe.getRegularizationByParam(key).isEmpty(), key);
        }
    }

    @Test
    void jsonAndSerializerRoundTrips() throws Exception {
        ComputationGraphConfiguration conf = graph(2, 8, 8, 4, 4, true, SequencePooling.Mode.FIRST, false);
        BlockTestSupport.assertJsonRoundTrip(conf);
        ComputationGraph g = new ComputationGraph(conf);
        g.init();
        INDArray x = Nd4j.rand(DataType.DOUBLE, 2, 2, 8, 8);
        BlockTestSupport.assertSerializerRoundTrip(g, new INDArray[] {x}, null);
        // clone() keeps every field (Spark workers clone configurations).
        PatchEmbedding pe = (PatchEmbedding) g.getLayer("pe").conf().getLayer();
        assertEquals(pe, pe.clone());
    }
}
