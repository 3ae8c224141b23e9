package ai.chorus.models.fusion;

import ai.chorus.models.GraphStart;
import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.blocks.CrossAttentionVertex;
import ai.chorus.models.blocks.GatedFusionVertex;
import ai.chorus.models.blocks.SequenceConcatVertex;
import ai.chorus.models.blocks.SequencePooling;
import ai.chorus.models.blocks.TokenLinear;
import ai.chorus.models.encoders.Towers;
import ai.chorus.models.encoders.TransformerStack;
import com.typesafe.config.Config;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.MergeVertex;

import java.util.Map;

import static ai.chorus.models.fusion.ClassifierGraph.FUSED;
import static ai.chorus.models.fusion.ClassifierGraph.IMAGE;
import static ai.chorus.models.fusion.ClassifierGraph.TEXT;

/**
 * Image–text classifiers that differ only in how they fuse the two towers ({@code chorus.model.fusion}), and the
 * single-tower baselines a fusion model must beat. Every mode ends in the same {@link
 * ai.chorus.models.encoders.ClassifierHead} (output {@code classes}, one-hot labels [B, numClasses]):
 * <ul>
 *   <li>{@code early}: image and text token sequences, each projected to {@code joint.width}, joined along time
 *       (image tokens always real, text tokens per the text mask) into one joint transformer
 *       ({@code joint.layers}, {@code joint.heads}), mean-pooled over real tokens. The two projections have their
 *       own biases, which act as modality-type embeddings.</li>
 *   <li>{@code late}: the image and text embeddings ({@code embed} each, as CLIP's towers give them)
 *       concatenated.</li>
 *   <li>{@code gated}: the text tokens cross-attend to the image tokens ({@code text.heads} heads); the text
 *       embedding and the mean-pooled attended tokens (both projected to {@code embed}) meet in a
 *       {@link GatedFusionVertex}.</li>
 *   <li>{@code image-only}, {@code text-only}: one tower's embedding; the graph has that one input.</li>
 * </ul>
 * Inputs ({@link ai.chorus.models.ModelIO#inputs()}): {@code image} [B, 3, H, W] and/or {@code text} [B, 1, T]
 * with a [B, T] mask. Embeddings: each tower's own embedding where the mode has one ({@code image},
 * {@code text}), and {@code fused}, the fused representation the classifier reads.
 */
public final class FusionBuilder implements ModelBuilder {
    @Override
    public String name() {
        return "fusion";
    }

    @Override
    public BuiltModel build(Config model, InputShapes shapes, Training training) {
        ModelConfig cfg = new ModelConfig(model);
        FusionMode mode = FusionMode.of(cfg);
        GraphBuilder graph = GraphStart.start(cfg, training, shapes, mode.inputs);
        ClassifierGraph.Features features;
        switch (mode) {
            case EARLY:
                features = early(graph, cfg, shapes);
                break;
            case LATE:
                features = late(graph, cfg, shapes);
                break;
            case GATED:
                features = gated(graph, cfg, shapes);
                break;
            case IMAGE_ONLY: {
                int embed = cfg.positiveInt("embed");
                String image = Towers.image(graph, IMAGE, cfg, shapes, embed);
                features = new ClassifierGraph.Features(image, embed, Map.of(IMAGE, image));
                break;
            }
            case TEXT_ONLY: {
                int embed = cfg.positiveInt("embed");
                String text = Towers.text(graph, TEXT, cfg, shapes, embed);
                features = new ClassifierGraph.Features(text, embed, Map.of(TEXT, text));
                break;
            }
            default:
                throw new IllegalStateException("unhandled fusion mode " + mode);
        }
        return ClassifierGraph.finish(graph, cfg, shapes, mode.inputs, features);
    }

    private static ClassifierGraph.Features early(GraphBuilder graph, ModelConfig cfg, InputShapes shapes) {
        int width = cfg.positiveInt("joint.width");
        String image = Towers.imageTokens(graph, IMAGE, IMAGE, cfg, shapes.imageSize());
        String text = Towers.textTokens(graph, TEXT, TEXT, cfg, shapes);
        graph.addLayer("imageToJoint", new TokenLinear.Builder().nOut(width).build(), image);
        graph.addLayer("textToJoint", new TokenLinear.Builder().nOut(width).build(), text);
        graph.addVertex("joint", SequenceConcatVertex.builder().build(), "imageToJoint", "textToJoint");
        String body = TransformerStack.add(graph, "joint", "joint", width, cfg.positiveInt("joint.layers"),
                cfg.positiveInt("joint.heads"), cfg.positiveDouble("mlp-ratio"), cfg.fraction("dropout"), false);
        graph.addLayer("jointPool", new SequencePooling(SequencePooling.Mode.MEAN_MASKED), body);
        return new ClassifierGraph.Features("jointPool", width, Map.of(FUSED, "jointPool"));
    }

    private static ClassifierGraph.Features late(GraphBuilder graph, ModelConfig cfg, InputShapes shapes) {
        int embed = cfg.positiveInt("embed");
        String image = Towers.image(graph, IMAGE, cfg, shapes, embed);
        String text = Towers.text(graph, TEXT, cfg, shapes, embed);
        graph.addVertex(FUSED, new MergeVertex(), image, text);
        return new ClassifierGraph.Features(FUSED, 2 * embed, Map.of(IMAGE, image, TEXT, text, FUSED, FUSED));
    }

    private static ClassifierGraph.Features gated(GraphBuilder graph, ModelConfig cfg, InputShapes shapes) {
        int embed = cfg.positiveInt("embed");
        int width = cfg.positiveInt("text.width");
        String image = Towers.imageTokens(graph, IMAGE, IMAGE, cfg, shapes.imageSize());
        String tokens = Towers.textTokens(graph, TEXT, TEXT, cfg, shapes);
        // The text embedding exactly as the text tower (and the text-only baseline) computes it.
        String text = Towers.head(graph, TEXT, tokens, SequencePooling.Mode.LAST_VALID, width, embed);
        graph.addVertex("crossAttention", CrossAttentionVertex.builder().nHeads(cfg.positiveInt("text.heads"))
                .dropout(cfg.fraction("dropout")).build(), tokens, image);
        // Every real text token's view of the image, averaged.
        String attended = Towers.head(graph, "attended", "crossAttention", SequencePooling.Mode.MEAN_MASKED, width,
                embed);
        graph.addVertex(FUSED, GatedFusionVertex.builder().size(embed).build(), text, attended);
        return new ClassifierGraph.Features(FUSED, embed, Map.of(TEXT, text, FUSED, FUSED));
    }
}
