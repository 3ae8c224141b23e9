package ai.chorus.prep.video;

/**
 * T frames sampled uniformly from a clip, each resized like an image.
 *
 * @param frames          uint8 RGB in frameCount×height×width×3 order (frame, row, column, channel)
 * @param frameCount      T, the configured number of frames
 * @param width           output frame width (the configured size)
 * @param height          output frame height (the configured size)
 * @param originalWidth   source frame width
 * @param originalHeight  source frame height
 * @param sourceFrames    frames actually decoded from the source (not the container's claim)
 * @param fps             sourceFrames / durationSeconds; NaN when unknown (a frame folder without a rate)
 * @param durationSeconds from the first frame's start to the last frame's end; NaN when unknown
 * @param format          the video codec as FFmpeg names it (h264, vp9, gif, ...), or {@code frames} for a
 *                        folder of images
 */
public record PreparedVideo(byte[] frames, int frameCount, int width, int height, int originalWidth,
                            int originalHeight, int sourceFrames, double fps, double durationSeconds, String format) {
}
