package ai.chorus.prep.video;

import ai.chorus.config.ConfigValues;
import ai.chorus.prep.image.ImageOptions;
import ai.chorus.prep.image.ResizeMode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.io.Serializable;
import java.util.Objects;

/**
 * How video clips are prepared: {@code frames} (T) frames sampled uniformly over the clip, each resized as
 * {@code frame} says (size, resize mode, background, pixel limit per frame), and clips longer than
 * {@code maxSeconds} rejected.
 */
public record VideoOptions(int frames, ImageOptions frame, double maxSeconds) implements Serializable {
    public static final int MAX_FRAMES = 1024;

    public VideoOptions {
        Objects.requireNonNull(frame, "frame");
        if (frames < 1 || frames > MAX_FRAMES) {
            throw new IllegalArgumentException("frames must be between 1 and " + MAX_FRAMES + ", got " + frames);
        }
        if (!(maxSeconds > 0) || Double.isInfinite(maxSeconds)) {
            throw new IllegalArgumentException("maxSeconds must be a positive number, got " + maxSeconds);
        }
        if (!fitsInArray(frames, frame.size())) {
            throw new IllegalArgumentException(frames + " frames of " + frame.size() + "x" + frame.size()
                    + " RGB do not fit in one Java array");
        }
    }

    public VideoOptions(int frames, int size, ResizeMode resizeMode, int background, long maxPixels, double maxSeconds) {
        this(frames, new ImageOptions(size, resizeMode, background, maxPixels), maxSeconds);
    }

    /**
     * Reads {@code frames}, {@code size}, {@code resize-mode}, {@code background}, {@code max-pixels} and
     * {@code max-seconds} under {@code path}.
     */
    public static VideoOptions fromConfig(Config c, String path) {
        ImageOptions frame = ImageOptions.fromConfig(c, path);
        int frames = ConfigValues.intBetween(c, path + ".frames", 1, MAX_FRAMES);
        if (!fitsInArray(frames, frame.size())) {
            throw new ConfigException.BadValue(c.getValue(path + ".frames").origin(), path + ".frames",
                    "expected frames x size x size x 3 to fit in one Java array; " + frames + " frames of "
                            + frame.size() + "x" + frame.size() + " do not");
        }
        return new VideoOptions(frames, frame, ConfigValues.positiveDouble(c, path + ".max-seconds"));
    }

    public int size() {
        return frame.size();
    }

    public ResizeMode resizeMode() {
        return frame.resizeMode();
    }

    public int background() {
        return frame.background();
    }

    public long maxPixels() {
        return frame.maxPixels();
    }

    private static boolean fitsInArray(int frames, int size) {
        return (long) frames * size * size * 3 <= Integer.MAX_VALUE - 8;
    }
}
