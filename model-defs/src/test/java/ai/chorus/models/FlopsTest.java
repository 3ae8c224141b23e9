package ai.chorus.models;

import ai.chorus.models.blocks.CrossAttentionVertex;
import ai.chorus.models.blocks.FoldTimeIntoBatchVertex;
import ai.chorus.models.blocks.GatedFusionVertex;
import ai.chorus.models.blocks.PatchEmbedding;
import ai.chorus.models.blocks.SequencePooling;
import ai.chorus.models.blocks.TransformerEncoderLayer;
import ai.chorus.models.blocks.UnfoldTimeFromBatchVertex;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.LSTM;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** FLOP counts from layer shapes: hand-computed blocks, CLIP-small against PyTorch's number, loud unknowns. */
class FlopsTest {

    private static Config clip(String size) {
        Path file = Path.of(System.getProperty("chorus.repo", "..")).resolve("conf/models/clip.conf");
        return ConfigFactory.parseMap(Map.of("chorus.model.size", size))
                .withFallback(ConfigFactory.parseFile(file.toFile())).resolve();
    }

    private static GraphBuilder graph() {
        return new NeuralNetConfiguration.Builder().graphBuilder();
    }

    @Test
    void clipSmallAtBatch64IsAbout118GflopPerTrainingStepAsPyTorchCounts() {
        // DESIGN.md's reference: image 64, vocabulary 8192, context 32, batch 64.
        ModelBuilder.BuiltModel clip = ModelRegistry.build(clip("small"), InputShapes.imageText(64, 8192, 32),
                ModelBuilder.Training.defaults());
        Flops.Count count = Flops.of(clip, InputShapes.imageText(64, 8192, 32), 64);

        // By hand, multiply-adds per example (C = 256, F = 1024, 4 layers per tower):
        //   image: patches 64·192·256 + 4 × [65·(4C² + 2CF) + 2·65²·C] + projection C·C = 216,336,384
        //   text:                       4 × [32·(4C² + 2CF) + 2·32²·C] + projection C·C = 102,825,984
        // plus the logits B·B·C = 1,048,576 per minibatch. Forward = 2 × (64 × 319,162,368 + 1,048,576).
        assertEquals(40_854_880_256L, count.forward());
        assertEquals(122_564_640_768L, count.training());
        assertEquals(2L * 64 * 64 * 256, count.vertex("logits").forward());

        // Against PyTorch's 118 GFLOP (DESIGN.md), tolerance 5%: we also count the attention scores QK^T and AV
        // (4.1 GFLOP of the 122.6), which PyTorch's counter drops for CPU scaled_dot_product_attention.
        assertEquals(118e9, count.training(), 0.05 * 118e9);
        // Reproducing PyTorch's accounting exactly: no attention scores, and no input gradient for the patch
        // projection (images need none). 118.03 GFLOP; 0.5% covers the rounding of "118".
        long pytorch = count.training() - Flops.TRAINING_MULTIPLIER * count.attentionScores()
                - count.vertex("imagePatches").forward();
        assertEquals(118_034_006_016L, pytorch);
        assertEquals(118e9, pytorch, 0.005 * 118e9);
        assertEquals(count.training() / 64.0, count.trainingPerSample(), 1e-6);
    }

    @Test
    void oneTransformerLayerByHand() {
        // C = 8, T = 5, F = 4C = 32, batch 3. Multiply-adds per example:
        //   Q, K, V: 3·T·C² = 960; output projection T·C² = 320; QK^T: T·T·C = 200; AV: T·T·C = 200;
        //   MLP up T·C·F = 1280; MLP down T·F·C = 1280.  Sum 4240, of which attention scores 400.
        for (boolean causal : new boolean[] {false, true}) {
            Flops.Count count = Flops.of(transformer(causal, 4.0), Map.of("x", InputType.recurrent(8, 5)), 3);
            Flops.Vertex block = count.vertex("block");
            assertEquals("TransformerEncoderLayer", block.type());
            assertEquals(2L * 3 * 4240, block.forward(), "causal=" + causal + " (causal attention counts in full)");
            assertEquals(2L * 3 * 400, block.attention());
            assertEquals(3L * 2 * 3 * 4240, count.training());
        }
        // The MLP width follows mlpRatio: F = 16 takes 2·T·C·F = 1280 instead of 2560.
        Flops.Count half = Flops.of(transformer(false, 2.0), Map.of("x", InputType.recurrent(8, 5)), 3);
        assertEquals(2L * 3 * (4240 - 1280), half.forward());
    }

    private static ComputationGraphConfiguration transformer(boolean causal, double mlpRatio) {
        return graph().addInputs("x").setInputTypes(InputType.recurrent(8, 5))
                .addLayer("block", new TransformerEncoderLayer.Builder().nIn(8).nHeads(2).mlpRatio(mlpRatio)
                        .causal(causal).build(), "x")
                .setOutputs("block").build();
    }

    @Test
    void crossAttentionGateAndDenseByHand() {
        // Queries Cq = 4 over Tq = 3, keys/values Ckv = 6 over Tk = 5, batch 2.
        ComputationGraphConfiguration conf = graph().addInputs("q", "kv")
                .setInputTypes(InputType.recurrent(4, 3), InputType.recurrent(6, 5))
                .addVertex("cross", CrossAttentionVertex.builder().nHeads(2).build(), "q", "kv")
                .addLayer("crossPool", new SequencePooling.Builder().mode(SequencePooling.Mode.MEAN_MASKED).build(),
                        "cross")
                .addLayer("qPool", new SequencePooling.Builder().mode(SequencePooling.Mode.FIRST).build(), "q")
                .addVertex("gate", GatedFusionVertex.builder().size(4).build(), "qPool", "crossPool")
                .addLayer("dense", new DenseLayer.Builder().nIn(4).nOut(3).build(), "gate")
                .setOutputs("dense").build();
        Flops.Count count = Flops.of(conf, Map.of("q", InputType.recurrent(4, 3), "kv", InputType.recurrent(6, 5)), 2);
        // Q: Tq·Cq·Cq = 48; K, V: 2·Tk·Ckv·Cq = 240; QK^T and AV: 2·Tq·Tk·Cq = 120; output: Tq·Cq·Cq = 48.
        assertEquals(2L * 2 * (48 + 240 + 120 + 48), count.vertex("cross").forward());
        assertEquals(2L * 2 * 120, count.vertex("cross").attention());
        // Gate: [B, 2D] × [2D, D] with D = 4; dense 4 × 3; pooling is free.
        assertEquals(2L * 2 * 2 * 4 * 4, count.vertex("gate").forward());
        assertEquals(2L * 2 * 4 * 3, count.vertex("dense").forward());
        assertEquals(0, count.vertex("crossPool").forward());
    }

    @Test
    void foldingFramesIntoTheMinibatchMultipliesThePerFrameWork() {
        // 2 frames of 16×16 RGB, patch 8 (4 patches of 192 values) to width 4; batch 3.
        ComputationGraphConfiguration conf = graph().addInputs("video")
                .setInputTypes(InputType.convolutional(16, 16, 6))
                .addVertex("fold", new FoldTimeIntoBatchVertex(2), "video")
                .addLayer("patches", new PatchEmbedding.Builder().patchSize(8).nOut(4).build(), "fold")
                .addLayer("pool", new SequencePooling.Builder().mode(SequencePooling.Mode.FIRST).build(), "patches")
                .addVertex("unfold", new UnfoldTimeFromBatchVertex(2), "pool")
                .addLayer("temporal", new TransformerEncoderLayer.Builder().nIn(4).nHeads(1).mlpRatio(1).build(),
                        "unfold")
                .setOutputs("temporal").build();
        Flops.Count count = Flops.of(conf, Map.of("video", InputType.convolutional(16, 16, 6)), 3);
        // Per frame: 4 patches × 192 × 4; 3 clips × 2 frames.
        assertEquals(2L * 3 * 2 * 4 * 192 * 4, count.vertex("patches").forward());
        // After unfolding, 3 sequences of T = 2, C = F = 4: 2·(4C² + 2CF) + 2·2²·C = 224 per clip.
        assertEquals(2L * 3 * 224, count.vertex("temporal").forward());
    }

    @Test
    void anUnknownLayerTypeFailsInsteadOfCountingZero() {
        ComputationGraphConfiguration conf = graph().addInputs("x").setInputTypes(InputType.recurrent(4, 6))
                .addLayer("lstm", new LSTM.Builder().nIn(4).nOut(4).build(), "x")
                .setOutputs("lstm").build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Flops.of(conf, Map.of("x", InputType.recurrent(4, 6)), 2));
        assertTrue(e.getMessage().contains("LSTM") && e.getMessage().contains("'lstm'"), e.getMessage());
    }

    @Test
    void countingLeavesTheConfigurationAsItWas() {
        ModelBuilder.BuiltModel clip = ModelRegistry.build(clip("tiny"), InputShapes.imageText(16, 40, 8),
                ModelBuilder.Training.defaults());
        String before = clip.configuration().toJson();
        Flops.Count count = Flops.of(clip, InputShapes.imageText(16, 40, 8), 4);
        assertTrue(count.forward() > 0);
        assertEquals(before, clip.configuration().toJson());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Flops.of(clip.configuration(), Map.of("image", InputType.convolutional(16, 16, 3)), 4));
        assertTrue(e.getMessage().contains("'text'"), e.getMessage());
    }
}
