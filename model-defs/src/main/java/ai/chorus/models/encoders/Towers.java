package ai.chorus.models.encoders;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.blocks.LayerNorm;
import ai.chorus.models.blocks.PatchEmbedding;
import ai.chorus.models.blocks.SequencePooling;
import ai.chorus.models.blocks.TokenEmbedding;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
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

    /**
     * The image tower over images [B, 3, H, W]: by default ({@code image.encoder = vit}) a ViT (patches + class
     * token + positions, transformer, class token); {@code image.encoder = cnn} is a small CNN instead
     * ({@link #imageCnn}), for tiny images or a cheaper baseline.
     */
    public static String image(GraphBuilder graph, String input, ModelConfig cfg, InputShapes shapes, int embed) {
        shapes.require(shapes.imageSize() > 0, "the model needs images");
        String encoder = cfg.has("image.encoder") ? cfg.string("image.encoder") : "vit";
        if (encoder.equals("cnn")) {
            return imageCnn(graph, input, cfg, embed);
        }
        if (!encoder.equals("vit")) {
            throw cfg.bad("image.encoder", "vit or cnn, got '" + encoder + "'");
        }
        String body = imageTokens(graph, "image", input, cfg, shapes.imageSize());
        return head(graph, "image", body, SequencePooling.Mode.FIRST, cfg.positiveInt("image.width"), embed);
    }

    /**
     * A small CNN tower: per entry of {@code image.cnn.channels}, a same-padded {@code image.cnn.kernel}² ReLU
     * convolution and a 2×2 max pool; then the spatial mean, LayerNorm and the bias-free projection
     * {@code imageEmbedding}, as the ViT head ends. Built-in DL4J layers (their gradients are DL4J's own).
     */
    static String imageCnn(GraphBuilder graph, String input, ModelConfig cfg, int embed) {
        int kernel = cfg.positiveInt("image.cnn.kernel");
        String previous = input;
        int channels = 0;
        java.util.List<Integer> stages = cfg.positiveIntList("image.cnn.channels");
        for (int i = 0; i < stages.size(); i++) {
            channels = stages.get(i);
            graph.addLayer("imageConv" + i, new ConvolutionLayer.Builder(kernel, kernel).nOut(channels)
                    .convolutionMode(ConvolutionMode.Same).activation(Activation.RELU).build(), previous);
            graph.addLayer("imagePool" + i, new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX)
                    .kernelSize(2, 2).stride(2, 2).build(), "imageConv" + i);
            previous = "imagePool" + i;
        }
        graph.addLayer("imageMean", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), previous);
        graph.addLayer("imageNorm", new LayerNorm.Builder().nOut(channels).build(), "imageMean");
        graph.addLayer("imageEmbedding", new DenseLayer.Builder().nIn(channels).nOut(embed)
                .activation(Activation.IDENTITY).hasBias(false).build(), "imageNorm");
        return "imageEmbedding";
    }

    /**
     * The ViT body without its head: patch embedding (class token first) and the transformer stack, settings
     * from {@code image.*}. Returns the last block, a token sequence [B, image.width, 1 + patches]. Vertex names
     * start with {@code prefix}, so a model can hold more than one (e.g. a video tower's per-frame encoder).
     */
    public static String imageTokens(GraphBuilder graph, String prefix, String input, ModelConfig cfg, int imageSize) {
        int patch = cfg.positiveInt("image.patch");
        if (imageSize % patch != 0) {
            throw cfg.bad("image.patch", "a divisor of the image size " + imageSize + ", got " + patch);
        }
        int width = cfg.positiveInt("image.width");
        graph.addLayer(prefix + "Patches", new PatchEmbedding.Builder().patchSize(patch).nOut(width).build(), input);
        return TransformerStack.add(graph, prefix, prefix + "Patches", width, cfg.positiveInt("image.layers"),
                cfg.positiveInt("image.heads"), cfg.positiveDouble("mlp-ratio"), cfg.fraction("dropout"), false);
    }

    /** Text transformer over token ids [B, 1, T] with a padding mask: causal, pooled at the end-of-text token. */
    public static String text(GraphBuilder graph, String input, ModelConfig cfg, InputShapes shapes, int embed) {
        String body = textTokens(graph, "text", input, cfg, shapes);
        // The end-of-text token is the last real token: the mask says where it is.
        return head(graph, "text", body, SequencePooling.Mode.LAST_VALID, cfg.positiveInt("text.width"), embed);
    }

    /**
     * The text body without its head: token + position embedding and the transformer stack (causal if
     * {@code text.causal}), settings from {@code text.*}. Returns the last block, [B, text.width, T], carrying
     * the padding mask.
     */
    public static String textTokens(GraphBuilder graph, String prefix, String input, ModelConfig cfg,
                                    InputShapes shapes) {
        shapes.require(shapes.vocabSize() > 1 && shapes.textLength() > 2, "the model needs tokenized text");
        int width = cfg.positiveInt("text.width");
        graph.addLayer(prefix + "Tokens", new TokenEmbedding.Builder().vocabSize(shapes.vocabSize()).nOut(width)
                .maxLength(shapes.textLength()).build(), input);
        return TransformerStack.add(graph, prefix, prefix + "Tokens", width, cfg.positiveInt("text.layers"),
                cfg.positiveInt("text.heads"), cfg.positiveDouble("mlp-ratio"), cfg.fraction("dropout"),
                cfg.bool("text.causal"));
    }

    /**
     * The end of every tower: pool the token sequence {@code body} [B, width, T], LayerNorm, and project without
     * bias into the shared space. Adds {@code <tower>Pool}, {@code <tower>Norm}, {@code <tower>Embedding}; returns
     * the last.
     */
    public static String head(GraphBuilder graph, String tower, String body, SequencePooling.Mode pooling, int width,
                              int embed) {
        graph.addLayer(tower + "Pool", new SequencePooling.Builder().mode(pooling).build(), body);
        graph.addLayer(tower + "Norm", new LayerNorm.Builder().nOut(width).build(), tower + "Pool");
        String out = tower + "Embedding";
        graph.addLayer(out, new DenseLayer.Builder().nIn(width).nOut(embed).activation(Activation.IDENTITY)
                .hasBias(false).build(), tower + "Norm");
        return out;
    }
}
