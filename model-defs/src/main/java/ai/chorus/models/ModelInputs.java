package ai.chorus.models;

import org.deeplearning4j.nn.conf.inputs.InputType;

import java.util.List;

/**
 * The input conventions of every model, by input name (as {@link ModelIO#inputs()} lists them), in one place for
 * whoever needs a model's inputs without its data: FLOP counting, benchmarks with synthetic data.
 * <pre>
 *   image          [B, 3, H, W]       InputType.convolutional(H, W, 3)        floats in [0, 1]
 *   text           [B, 1, T] + mask   InputType.recurrent(1, T)               token ids; feature mask [B, T]
 *   audio          [B, 1, mels, F]    InputType.convolutional(mels, F, 1)     standardised log-mel
 *   video          [B, T*3, H, W]     InputType.convolutional(H, W, T*3)      frame-major channels
 *   &lt;x&gt;Present      [B, 1]             InputType.feedForward(1)                1 = modality x present
 * </pre>
 * An input name outside this list is an error: a new convention belongs here first.
 */
public final class ModelInputs {
    private ModelInputs() {
    }

    /** The graph input type of {@code input} for data of these shapes. */
    public static InputType type(String input, InputShapes shapes) {
        long[] s = shape(input, shapes, 1);
        return switch (kind(input)) {
            case IMAGE, AUDIO, VIDEO -> InputType.convolutional(s[2], s[3], s[1]);
            case TEXT -> InputType.recurrent(1, s[2]);
            case PRESENCE -> InputType.feedForward(1);
        };
    }

    /** The feature array shape of {@code input} for a minibatch of {@code batch}. */
    public static long[] shape(String input, InputShapes shapes, long batch) {
        return switch (kind(input)) {
            case IMAGE -> {
                shapes.require(shapes.imageSize() > 0 && shapes.imageChannels() > 0, "input 'image' needs an image size");
                yield new long[] {batch, shapes.imageChannels(), shapes.imageSize(), shapes.imageSize()};
            }
            case TEXT -> {
                shapes.require(shapes.textLength() > 0, "input 'text' needs a text length");
                yield new long[] {batch, 1, shapes.textLength()};
            }
            case AUDIO -> {
                shapes.require(shapes.audioMels() > 0 && shapes.audioFrames() > 0, "input 'audio' needs mels and frames");
                yield new long[] {batch, 1, shapes.audioMels(), shapes.audioFrames()};
            }
            case VIDEO -> {
                shapes.require(shapes.videoFrames() > 0 && shapes.videoSize() > 0, "input 'video' needs frames and a size");
                yield new long[] {batch, 3L * shapes.videoFrames(), shapes.videoSize(), shapes.videoSize()};
            }
            case PRESENCE -> new long[] {batch, 1};
        };
    }

    /** Whether {@code input} comes with a feature mask [B, T] (padded token sequences). */
    public static boolean hasMask(String input) {
        return kind(input) == Kind.TEXT;
    }

    /** Whether {@code input} is a modality-presence flag. */
    public static boolean isPresence(String input) {
        return kind(input) == Kind.PRESENCE;
    }

    private enum Kind { IMAGE, TEXT, AUDIO, VIDEO, PRESENCE }

    private static Kind kind(String input) {
        switch (input) {
            case "image":
                return Kind.IMAGE;
            case "text":
                return Kind.TEXT;
            case "audio":
                return Kind.AUDIO;
            case "video":
                return Kind.VIDEO;
            default:
                if (ModelIO.isPresenceInput(input)
                        && List.of("image", "text", "audio", "video").contains(ModelIO.modalityOfPresence(input))) {
                    return Kind.PRESENCE;
                }
                throw new IllegalArgumentException("unknown model input '" + input + "': known are image, text, audio, "
                        + "video and each of them + '" + ModelIO.PRESENCE_SUFFIX + "' (see ModelInputs)");
        }
    }
}
