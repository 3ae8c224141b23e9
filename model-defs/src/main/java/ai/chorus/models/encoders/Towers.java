package ai.chorus.models.encoders;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.blocks.LayerNorm;
import ai.chorus.models.blocks.PatchEmbedding;
import ai.chorus.models.blocks.SequencePooling;
import ai.chorus.models.blocks.TokenEmbedding;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * The encoders shared by every model: each adds its layers after a graph input and returns the name of
 * the vertex holding that modality's embedding [B, embed]. A tower is a transformer over tokens, a pooled
 * token, a LayerNorm and a linear projection into the shared space (as CLIP's towers). Settings come from
 * the model's HOCON under the tower's key ({@code image.*}, {@code text.*}, {@code audio.*}).
 */
public final class Towers {
    private Towers() {
    }

    /** ViT over images [B, 3, H, W]: patches + class token + positions, transformer, class token. */
    public static String image(GraphBuilder graph, String input, ModelConfig cfg, InputShapes shapes, int embed) {
        shapes.require(shapes.imageSize() > 0, "the model needs images");
        int patch = cfg.positiveInt("image.patch");
        shapes.require(shapes.imageSize() % patch == 0,
                "image size " + shapes.imageSize() + " must be a multiple of chorus.model.image.patch = " + patch);
        int width = cfg.positiveInt("image.width");
        graph.addLayer("imagePatches", new PatchEmbedding.Builder().patchSize(patch).nOut(width).build(), input);
        String body = TransformerStack.add(graph, "image", "imagePatches", width, cfg.positiveInt("image.layers"),
                cfg.positiveInt("image.heads"), cfg.positiveDouble("mlp-ratio"), cfg.fraction("dropout"), false);
        return head(graph, "image", body, SequencePooling.Mode.FIRST, width, embed);
    }

    /** Text transformer over token ids [B, 1, T] with a padding mask: causal, pooled at the end-of-text token. */
    public static String text(GraphBuilder graph, String input, ModelConfig cfg, InputShapes shapes, int embed) {
        shapes.require(shapes.vocabSize() > 1 && shapes.textLength() > 2, "the model needs tokenized text");
        int width = cfg.positiveInt("text.width");
        graph.addLayer("textTokens", new TokenEmbedding.Builder().vocabSize(shapes.vocabSize()).nOut(width)
                .maxLength(shapes.textLength()).build(), input);
        String body = TransformerStack.add(graph, "text", "textTokens", width, cfg.positiveInt("text.layers"),
                cfg.positiveInt("text.heads"), cfg.positiveDouble("mlp-ratio"), cfg.fraction("dropout"),
                cfg.bool("text.causal"));
        // The end-of-text token is the last real token: the mask says where it is.
        return head(graph, "text", body, SequencePooling.Mode.LAST_VALID, width, embed);
    }

    private static String head(GraphBuilder graph, String tower, String body, SequencePooling.Mode pooling, int width,
                               int embed) {
        graph.addLayer(tower + "Pool", new SequencePooling.Builder().mode(pooling).build(), body);
        graph.addLayer(tower + "Norm", new LayerNorm.Builder().nOut(width).build(), tower + "Pool");
        String out = tower + "Embedding";
        graph.addLayer(out, new DenseLayer.Builder().nIn(width).nOut(embed).activation(Activation.IDENTITY)
                .hasBias(false).build(), tower + "Norm");
        return out;
    }
}
