package ai.chorus.models.encoders;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.blocks.PatchEmbedding;
import ai.chorus.models.blocks.SequencePooling;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.inputs.InputType;

/**
 * The audio encoder: a ViT over the log-mel spectrogram (as AST), settings from {@code audio.*}
 * ({@code patch}, {@code width}, {@code layers}, {@code heads}). Input {@code [B, 1, nMels, frames]}
 * ({@link InputShapes#audioMels()} × {@link InputShapes#audioFrames()}), standardised per example by the data
 * side; the spectrogram is cut into square {@code patch × patch} time–frequency patches (row-major: frequency
 * bands of patches, each over time), a class token and learned positions are added, a transformer runs over
 * them and the class token is pooled into {@code audioEmbedding} [B, embed].
 *
 * <p>Frames: the patch must divide both the mel bands and the frames. The data side keeps the first
 * {@link #frames frames(cfg, available)} frames of what the dataset has (the largest multiple of the patch), e.g.
 * 400 of the 401 frames of a 4 s clip with {@code audio.patch = 16}, and builds the model with that many frames;
 * other frame counts are refused, naming {@code audio.patch}.
 */
public final class AudioTower {
    private AudioTower() {
    }

    /** The graph input type of the spectrogram: {@code InputType.convolutional(nMels, frames, 1)}. */
    public static InputType inputType(InputShapes shapes) {
        return InputType.convolutional(shapes.audioMels(), shapes.audioFrames(), 1);
    }

    /** The whole tower after {@code input}; returns {@code audioEmbedding}. */
    public static String add(GraphBuilder graph, String input, ModelConfig cfg, InputShapes shapes, int embed) {
        String body = tokens(graph, "audio", input, cfg, shapes);
        return Towers.head(graph, "audio", body, SequencePooling.Mode.FIRST, cfg.positiveInt("audio.width"), embed);
    }

    /**
     * The body without its head: patches (class token first) and the transformer stack. Returns the last block, a
     * token sequence [B, audio.width, 1 + (nMels / patch) · (frames / patch)].
     */
    public static String tokens(GraphBuilder graph, String prefix, String input, ModelConfig cfg, InputShapes shapes) {
        shapes.require(shapes.audioMels() > 0 && shapes.audioFrames() > 0, "the model needs log-mel audio");
        int patch = cfg.positiveInt("audio.patch");
        int mels = shapes.audioMels();
        int frames = shapes.audioFrames();
        if (mels % patch != 0) {
            throw cfg.bad("audio.patch", "a divisor of the mel bands " + mels + ", got " + patch);
        }
        if (frames % patch != 0) {
            throw cfg.bad("audio.patch", "a divisor of the frames " + frames + ", got " + patch
                    + "; the data side crops the frames to a multiple of the patch (AudioTower.frames: "
                    + frames(cfg, frames) + ")");
        }
        int width = cfg.positiveInt("audio.width");
        graph.addLayer(prefix + "Patches", new PatchEmbedding.Builder().patchSize(patch).nOut(width).build(), input);
        return TransformerStack.add(graph, prefix, prefix + "Patches", width, cfg.positiveInt("audio.layers"),
                cfg.positiveInt("audio.heads"), cfg.positiveDouble("mlp-ratio"), cfg.fraction("dropout"), false);
    }

    /**
     * How many of {@code available} frames the model takes: the largest multiple of {@code audio.patch} not above
     * them (the data side keeps the first ones). Refuses clips shorter than one patch.
     */
    /**
     * The dataset's shapes with the audio frames cropped to what a model with an audio tower takes ({@link #frames});
     * unchanged for a model without one. The data side feeds the first frames (SampleBatches crops to the shapes).
     */
    public static InputShapes fitted(com.typesafe.config.Config model, InputShapes shapes) {
        ModelConfig cfg = new ModelConfig(model);
        if (shapes.audioFrames() == 0 || !cfg.has("audio.patch")) {
            return shapes;
        }
        return new InputShapes(shapes.imageSize(), shapes.imageChannels(), shapes.vocabSize(), shapes.textLength(),
                shapes.audioMels(), frames(cfg, shapes.audioFrames()), shapes.videoFrames(), shapes.videoSize(),
                shapes.numClasses());
    }

    public static int frames(ModelConfig cfg, int available) {
        int patch = cfg.positiveInt("audio.patch");
        if (available < patch) {
            throw cfg.bad("audio.patch", "at most the " + available + " frames of the audio, got " + patch);
        }
        return available / patch * patch;
    }
}
