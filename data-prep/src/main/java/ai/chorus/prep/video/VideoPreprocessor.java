package ai.chorus.prep.video;

import ai.chorus.prep.SampleRejectedException;
import ai.chorus.prep.image.DecodedImage;
import ai.chorus.prep.image.ImagePreprocessor;
import ai.chorus.prep.image.ImageResizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A clip to T uniformly sampled, resized RGB frames ({@link FrameSampler} says which). Video files go
 * through FFmpeg; a folder of frame images goes through the image decoder. Frames are resized exactly like
 * images ({@link ImageResizer}). Immutable and thread-safe: each call opens its own FFmpeg context.
 */
public final class VideoPreprocessor {
    private final VideoOptions options;
    private final ImagePreprocessor images;
    private final ImageResizer resizer;

    public VideoPreprocessor(VideoOptions options) {
        this.options = options;
        this.images = new ImagePreprocessor(options.frame());
        this.resizer = new ImageResizer(options.frame());
    }

    /**
     * Any file FFmpeg demuxes with a video stream (MP4, WebM, MKV, MOV, AVI, animated GIF, ...). The frame
     * count comes from decoding, not from the container: a demux-only pass counts the stream's packets (and
     * rejects over-long clips before decoding), one decoding pass converts only the sampled frames, and
     * should the decoder produce a different number of frames than there were packets (hidden frames,
     * dropped frames) a second decoding pass samples by the true count.
     *
     * @throws SampleRejectedException video.empty, video.decode, video.too-long, video.too-large
     */
    public PreparedVideo process(Path localFile) {
        try {
            if (Files.size(localFile) == 0) {
                throw reject("video.empty", "the video file is empty (0 bytes)", null);
            }
        } catch (IOException e) {
            throw reject("video.decode", "cannot read the video file: " + e, e);
        }
        FfmpegClip.Scan scan = FfmpegClip.scan(localFile, options.maxPixels(), options.maxSeconds());
        if (scan.packets() == 0) {
            throw reject("video.decode", "the " + scan.codec() + " video stream holds no frames", null);
        }
        int[] indices = FrameSampler.uniformIndices(scan.packets(), options.frames());
        FfmpegClip.Decoded decoded = FfmpegClip.decode(localFile, indices, resizer, options.maxPixels());
        if (decoded.frames() == 0) {
            throw reject("video.decode", "no frame of the " + scan.codec() + " video stream could be decoded", null);
        }
        if (decoded.frames() != scan.packets()) {
            indices = FrameSampler.uniformIndices(decoded.frames(), options.frames());
            decoded = FfmpegClip.decode(localFile, indices, resizer, options.maxPixels());
        }
        double duration = !Double.isNaN(scan.durationSeconds()) ? scan.durationSeconds()
                : scan.streamFps() > 0 ? decoded.frames() / scan.streamFps() : Double.NaN; // no timestamps at all
        if (duration > options.maxSeconds()) {
            throw FfmpegClip.tooLong(duration, options.maxSeconds());
        }
        return assemble(indices, decoded.resized(), scan.width(), scan.height(), decoded.frames(),
                duration, scan.codec());
    }

    /** A folder of frame images, already in playing order; the frame rate is unknown (fps and duration NaN). */
    public PreparedVideo processFrames(List<byte[]> encodedFrames) {
        return processFrames(encodedFrames, Double.NaN);
    }

    /**
     * A folder of frame images, already in playing order, shown at {@code fps} frames per second (NaN if
     * unknown). Only the sampled frames are decoded, each once even when a short clip repeats it.
     *
     * @throws SampleRejectedException video.empty, video.decode, video.too-long, video.too-large
     */
    public PreparedVideo processFrames(List<byte[]> encodedFrames, double fps) {
        if (encodedFrames == null || encodedFrames.isEmpty()) {
            throw reject("video.empty", "the frame folder holds no images", null);
        }
        if (!(fps > 0) && !Double.isNaN(fps)) {
            throw new IllegalArgumentException("fps must be positive or NaN (unknown), got " + fps);
        }
        int n = encodedFrames.size();
        double duration = n / fps;
        if (duration > options.maxSeconds()) {
            throw FfmpegClip.tooLong(duration, options.maxSeconds());
        }
        int[] indices = FrameSampler.uniformIndices(n, options.frames());
        Map<Integer, byte[]> resized = new HashMap<>();
        int[] originalSize = null;
        for (int index : indices) {
            if (!resized.containsKey(index)) {
                DecodedImage frame = decodeFrame(encodedFrames.get(index), index, n);
                originalSize = originalSize != null ? originalSize : new int[] {frame.width(), frame.height()};
                resized.put(index, images.resizeToRgb(frame.image()));
            }
        }
        return assemble(indices, resized, originalSize[0], originalSize[1], n, duration, "frames");
    }

    public VideoOptions options() {
        return options;
    }

    private DecodedImage decodeFrame(byte[] encoded, int index, int count) {
        try {
            return images.decodeOriented(encoded);
        } catch (SampleRejectedException e) {
            String errorClass = e.errorClass().equals("image.too-large") ? "video.too-large" : "video.decode";
            throw reject(errorClass, "frame " + index + " of " + count + ": " + e.getMessage(), e);
        }
    }

    private PreparedVideo assemble(int[] indices, Map<Integer, byte[]> resized, int originalWidth,
                                   int originalHeight, int sourceFrames, double duration, String format) {
        int size = options.size();
        int frameBytes = size * size * 3;
        byte[] frames = new byte[indices.length * frameBytes];
        for (int i = 0; i < indices.length; i++) {
            System.arraycopy(resized.get(indices[i]), 0, frames, i * frameBytes, frameBytes);
        }
        return new PreparedVideo(frames, indices.length, size, size, originalWidth, originalHeight,
                sourceFrames, sourceFrames / duration, duration, format);
    }

    private static SampleRejectedException reject(String errorClass, String message, Throwable cause) {
        return new SampleRejectedException("video", errorClass, message, cause);
    }
}
