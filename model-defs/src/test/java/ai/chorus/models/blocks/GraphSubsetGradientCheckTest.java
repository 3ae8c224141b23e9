package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SelfAttentionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.opentest4j.AssertionFailedError;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The subset gradient check passes right gradients and catches wrong ones (M2.1's 2x SelfAttentionLayer). */
@ExtendWith(BlockTestSupport.DoublePrecision.class)
class GraphSubsetGradientCheckTest {

    /** [B, 3, 5] → (built-in attention, whose gradient is 2x in M2.1, or our transformer block) → mean → MSE. */
    private static ComputationGraph graph(boolean builtInAttention) {
        ComputationGraphConfiguration.GraphBuilder gb = new NeuralNetConfiguration.Builder().seed(3)
                .dataType(DataType.DOUBLE).updater(new NoOp()).graphBuilder().addInputs("x")
                .setInputTypes(InputType.recurrent(4, 5));
        if (builtInAttention) {
            gb.addLayer("body", new SelfAttentionLayer.Builder().nOut(4).nHeads(2).projectInput(true).build(), "x");
        } else {
            gb.addLayer("body", new TransformerEncoderLayer.Builder().nIn(4).nHeads(2).build(), "x");
        }
        ComputationGraph g = new ComputationGraph(gb
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "body")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                        .activation(Activation.TANH).build(), "pool")
                .setOutputs("out").build());
        g.init();
        return g;
    }

    private static void check(ComputationGraph g) {
        Random r = new Random(5);
        INDArray x = BlockTestSupport.gaussian(r, DataType.DOUBLE, 4, 4, 5);
        INDArray y = BlockTestSupport.gaussian(r, DataType.DOUBLE, 4, 2);
        BlockTestSupport.assertGradientsOk(g, new INDArray[] {x}, null, new INDArray[] {y}, null, 3);
    }

    @Test
    void rightGradientsPass() {
        check(graph(false));
    }

    @Test
    void aDoubledGradientFailsAndIsNamed() {
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> check(graph(true)));
        assertTrue(e.getMessage().contains("body_W"), e.getMessage());
    }
}
