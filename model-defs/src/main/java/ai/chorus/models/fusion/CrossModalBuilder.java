package ai.chorus.models.fusion;

import ai.chorus.models.GraphStart;
import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.blocks.CrossAttentionVertex;
import ai.chorus.models.blocks.SequencePooling;
import ai.chorus.models.encoders.Towers;
import ai.chorus.models.encoders.TransformerStack;
import com.typesafe.config.Config;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

import java.util.List;
import java.util.Map;

import static ai.chorus.models.fusion.ClassifierGraph.FUSED;
import static ai.chorus.models.fusion.ClassifierGraph.IMAGE;
import static ai.chorus.models.fusion.ClassifierGraph.TEXT;

/**
 * Cross-modal transformer: the image and text tower bodies, then {@code crossmodal.layers} rounds of
 * cross-attention (text tokens query the image tokens) followed by self-attention over the text tokens, so that
 * what one word gathered from the image reaches the others before the next look. The text tokens are then
 * mean-pooled over real tokens and classified by the shared {@link ai.chorus.models.encoders.ClassifierHead}
 * (output {@code classes}, one-hot labels [B, numClasses]). Both attentions use {@code text.heads} heads at
 * {@code text.width}. Inputs: {@code image} [B, 3, H, W], {@code text} [B, 1, T] with a [B, T] mask.
 */
public final class CrossModalBuilder implements ModelBuilder {
    private static final List<String> INPUTS = List.of(IMAGE, TEXT);

    @Override
    public String name() {
        return "crossmodal";
    }

    @Override
    public BuiltModel build(Config model, InputShapes shapes, Training training) {
        ModelConfig cfg = new ModelConfig(model);
        GraphBuilder graph = GraphStart.start(cfg, training, shapes, INPUTS);
        int width = cfg.positiveInt("text.width");
        int heads = cfg.positiveInt("text.heads");
        double dropout = cfg.fraction("dropout");
        String image = Towers.imageTokens(graph, IMAGE, IMAGE, cfg, shapes.imageSize());
        String text = Towers.textTokens(graph, TEXT, TEXT, cfg, shapes);
        for (int i = 0; i < cfg.positiveInt("crossmodal.layers"); i++) {
            String round = "crossmodal" + i;
            graph.addVertex(round + "Attend", CrossAttentionVertex.builder().nHeads(heads).dropout(dropout).build(),
                    text, image);
            text = TransformerStack.add(graph, round, round + "Attend", width, 1, heads,
                    cfg.positiveDouble("mlp-ratio"), dropout, false);
        }
        graph.addLayer("crossmodalPool", new SequencePooling(SequencePooling.Mode.MEAN_MASKED), text);
        return ClassifierGraph.finish(graph, cfg, shapes, INPUTS,
                new ClassifierGraph.Features("crossmodalPool", width, Map.of(FUSED, "crossmodalPool")));
    }
}
