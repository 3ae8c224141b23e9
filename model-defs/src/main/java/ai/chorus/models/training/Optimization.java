package ai.chorus.models.training;

import ai.chorus.models.blocks.TrainableVertexConfig;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.learning.regularization.WeightDecay;

import java.util.List;
import java.util.Map;

/**
 * How a model is optimised, applied the same way to every trainable layer and vertex of a built configuration:
 * builders say what a model is, the trainer says how it learns. AdamW is {@code Adam} plus decoupled weight decay
 * ({@link WeightDecay} with {@code applyLR = true}: {@code param -= lr * decay * param} after the Adam step, as
 * PyTorch's AdamW); DL4J has no AdamW class. Decay applies to weights only, never to biases, LayerNorm gains or
 * other bias-like parameters (open_clip's exclusion). Clipping is DL4J's per-layer L2 clipping: DL4J has no global
 * gradient-norm clipping; {@code clipNorm = 0} turns it off.
 */
public record Optimization(IUpdater updater, double weightDecay, double clipNorm) {

    public Optimization {
        if (updater == null) {
            throw new IllegalArgumentException("updater is required");
        }
        if (!(weightDecay >= 0) || !(clipNorm >= 0)) {
            throw new IllegalArgumentException("weight decay and clip norm must be >= 0, got " + weightDecay + ", " + clipNorm);
        }
    }

    /** Sets updater, regularization and clipping on every layer and trainable vertex of {@code conf} (in place). */
    public ComputationGraphConfiguration applyTo(ComputationGraphConfiguration conf) {
        List<Regularization> weights = weightDecay > 0 ? List.of(new WeightDecay(weightDecay, true)) : List.of();
        GradientNormalization clipping = clipNorm > 0
                ? GradientNormalization.ClipL2PerLayer : GradientNormalization.None;
        for (Map.Entry<String, GraphVertex> entry : conf.getVertices().entrySet()) {
            GraphVertex vertex = entry.getValue();
            if (vertex instanceof LayerVertex lv) {
                Layer layer = lv.getLayerConf().getLayer();
                if (layer instanceof BaseLayer base) {
                    base.setIUpdater(updater.clone());
                    base.setBiasUpdater(updater.clone());
                    base.setRegularization(weights);
                    base.setRegularizationBias(List.of());
                    base.setGradientNormalization(clipping);
                    base.setGradientNormalizationThreshold(clipNorm);
                }
            } else if (vertex instanceof TrainableVertexConfig trainable) {
                trainable.setUpdater(updater.clone());
                trainable.setBiasUpdater(updater.clone());
                trainable.setRegularization(weights);
                trainable.setRegularizationBias(List.of());
                trainable.setGradientNormalization(clipping);
                trainable.setGradientNormalizationThreshold(clipNorm);
            }
        }
        return conf;
    }
}
