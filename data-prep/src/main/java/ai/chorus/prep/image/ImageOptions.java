package ai.chorus.prep.image;

import ai.chorus.config.ConfigValues;
import com.typesafe.config.Config;
import java.io.Serializable;
import java.util.Objects;

/**
 * How images are prepared: output {@code size}×{@code size} RGB, the {@link ResizeMode}, the colour that
 * transparency and keep-ratio padding become ({@code background}, 0xRRGGBB) and the largest pixel count a
 * header may announce before the image is rejected undecoded ({@code maxPixels}).
 */
public record ImageOptions(int size, ResizeMode resizeMode, int background, long maxPixels) implements Serializable {
    /** Keeps size×size×3 (and a video's T of them) well inside a Java array. */
    public static final int MAX_SIZE = 4096;

    public ImageOptions {
        Objects.requireNonNull(resizeMode, "resizeMode");
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException("size must be between 1 and " + MAX_SIZE + ", got " + size);
        }
        if (maxPixels < 1) {
            throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
        }
        background &= 0xFFFFFF;
    }

    /** Reads {@code size}, {@code resize-mode}, {@code background} and {@code max-pixels} under {@code path}. */
    public static ImageOptions fromConfig(Config c, String path) {
        return new ImageOptions(
                ConfigValues.intBetween(c, path + ".size", 1, MAX_SIZE),
                ConfigValues.oneOf(c, path + ".resize-mode", ResizeMode.class, ResizeMode::configName),
                ConfigValues.rgbColor(c, path + ".background"),
                ConfigValues.longAtLeast(c, path + ".max-pixels", 1));
    }
}
