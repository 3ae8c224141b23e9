package ai.chorus.models.audioclip;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.blocks.BlockTestSupport;
import ai.chorus.models.encoders.AudioTower;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The audio tower on non-square log-mel spectrograms: patch layout, gradients, refused shapes, frame cropping. */
@ExtendWith(BlockTestSupport.DoublePrecision.class)
class AudioTowerTest {
    private static final int MELS = 8;
    private static final int FRAMES = 20;
    private static final int PATCH = 4;

    /** audioclip.conf at tiny with {@code audio.patch} replaced. */
    private static ModelConfig cfg(int patch) {
        Config c = ConfigFactory.parseMap(Map.of("chorus.model.sizes.tiny.audio.patch", patch))
                .withFallback(AudioClipModelTest.conf("tiny")).resolve();
        return new ModelConfig(c.getConfig("chorus.model"));
    }

    private static InputShapes shapes(int mels, int frames) {
        return new InputShapes(0, 0, 0, 0, mels, frames, 0, 0, 0);
    }

    /** The tower alone, its embedding regressed with MSE. */
    private static ComputationGraph tower(ModelConfig cfg, InputShapes shapes) {
        ComputationGraphConfiguration.GraphBuilder g = new NeuralNetConfiguration.Builder().seed(5)
                .dataType(DataType.DOUBLE).updater(new NoOp()).weightInit(WeightInit.XAVIER).graphBuilder()
                .addInputs("audio").setInputTypes(AudioTower.inputType(shapes));
        String embedding = AudioTower.add(g, "audio", cfg, shapes, 6);
        assertEquals("audioEmbedding", embedding);
        g.addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MSE).nOut(2)
                .activation(Activation.IDENTITY).build(), embedding).setOutputs("out");
        ComputationGraph graph = new ComputationGraph(g.build());
        graph.init();
        return graph;
    }

    @Test
    void patchesTileTheSpectrogramRowMajorOverFrequencyThenTime() {
        ComputationGraph graph = tower(cfg(PATCH), shapes(MELS, FRAMES));
        Random r = new Random(1);
        INDArray x = BlockTestSupport.gaussian(r, DataType.DOUBLE, 2, 1, MELS, FRAMES);
        INDArray before = graph.feedForward(x, false).get("audioPatches").dup();
        int wp = FRAMES / PATCH;
        assertEquals(1 + (MELS / PATCH) * wp, before.size(2), "class token + 2 x 5 patches");
        // One time-frequency bin of sample 1 moves exactly one token of sample 1: its patch.
        int[][] bins = {{0, 0}, {5, 2}, {3, 19}, {7, 13}};
        for (int[] bin : bins) {
            INDArray y = x.dup();
            y.putScalar(new long[] {1, 0, bin[0], bin[1]}, x.getDouble(1, 0, bin[0], bin[1]) + 1.0);
            INDArray after = graph.feedForward(y, false).get("audioPatches");
            int expected = 1 + (bin[0] / PATCH) * wp + bin[1] / PATCH;
            for (int s = 0; s < 2; s++) {
                for (int t = 0; t < before.size(2); t++) {
                    double change = token(after, s, t).sub(token(before, s, t)).amaxNumber().doubleValue();
                    boolean moved = change > 0;
                    assertEquals(s == 1 && t == expected, moved, "bin (mel " + bin[0] + ", frame " + bin[1]
                            + "): sample " + s + " token " + t + " changed by " + change);
                }
            }
        }
    }

    /** Token t of sample s of a [B, C, T] sequence. */
    private static INDArray token(INDArray seq, int s, int t) {
        return seq.get(NDArrayIndex.point(s), NDArrayIndex.all(), NDArrayIndex.point(t));
    }

    @Test
    void towerPassesANumericalGradientCheckOnANonSquareSpectrogram() {
        ComputationGraph graph = tower(cfg(PATCH), shapes(MELS, FRAMES));
        Random r = new Random(2);
        INDArray x = BlockTestSupport.gaussian(r, DataType.DOUBLE, 3, 1, MELS, FRAMES);
        INDArray y = BlockTestSupport.gaussian(r, DataType.DOUBLE, 3, 2);
        BlockTestSupport.assertGradientsOk(graph, new INDArray[] {x}, null, new INDArray[] {y}, null, 12);
    }

    @Test
    void shapesThePatchDoesNotDivideAreRefusedNamingTheKey() {
        ConfigException frames = assertThrows(ConfigException.class,
                () -> tower(cfg(16), shapes(64, 401)));
        assertTrue(frames.getMessage().contains("chorus.model.audio.patch")
                && frames.getMessage().contains("frames 401") && frames.getMessage().contains("400"),
                frames.getMessage());
        ConfigException mels = assertThrows(ConfigException.class, () -> tower(cfg(16), shapes(40, 400)));
        assertTrue(mels.getMessage().contains("chorus.model.audio.patch") && mels.getMessage().contains("mel bands 40"),
                mels.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> tower(cfg(16), shapes(0, 0)));
        assertTrue(none.getMessage().contains("log-mel"), none.getMessage());
    }

    @Test
    void theDataSideKeepsTheLargestMultipleOfThePatch() {
        assertEquals(400, AudioTower.frames(cfg(16), 401));
        assertEquals(400, AudioTower.frames(cfg(16), 415));
        assertEquals(416, AudioTower.frames(cfg(16), 416));
        assertEquals(400, AudioTower.frames(cfg(8), 401));
        ConfigException e = assertThrows(ConfigException.class, () -> AudioTower.frames(cfg(16), 12));
        assertTrue(e.getMessage().contains("chorus.model.audio.patch"), e.getMessage());
    }
}
