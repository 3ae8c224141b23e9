package ai.chorus.prep.video;

import ai.chorus.prep.SampleRejectedException;
import ai.chorus.prep.image.ImageResizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;
import org.bytedeco.javacv.Java2DFrameConverter;

/** One local video file read through FFmpeg (JavaCV): a cheap demux-only scan, and decoding passes. */
final class FfmpegClip {
    static {
        // FFmpeg logs every recoverable glitch to stderr, per file; rejects carry the reason instead.
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    /** What demuxing alone tells: the video stream's frame size, packet count, timed span and codec. */
    record Scan(int width, int height, int packets, double durationSeconds, double streamFps, String codec) {
    }

    /** The number of frames a decoding pass produced, and the wanted ones resized, by frame index. */
    record Decoded(int frames, Map<Integer, byte[]> resized) {
    }

    private FfmpegClip() {
    }

    /**
     * Demuxes without decoding: counts the video stream's packets and measures their time span, rejecting
     * the clip as soon as that span passes {@code maxSeconds} and before any frame is decoded when the
     * stream announces more than {@code maxPixels} per frame.
     */
    static Scan scan(Path file, long maxPixels, double maxSeconds) {
        try (FFmpegFrameGrabber grabber = grabber(file)) {
            grabber.start();
            int stream = grabber.getVideoStream();
            if (stream < 0 || !grabber.hasVideo()) {
                throw reject("video.decode", "the file has no video stream (container: " + grabber.getFormat() + ")");
            }
            long width = grabber.getImageWidth();
            long height = grabber.getImageHeight();
            if (width * height > maxPixels) {
                throw reject("video.too-large", "the video stream announces " + width + "x" + height + " = "
                        + width * height + " pixels per frame, more than the limit of " + maxPixels + " (max-pixels)");
            }
            AVRational timeBase = grabber.getFormatContext().streams(stream).time_base();
            double unit = (double) timeBase.num() / timeBase.den();
            long first = Long.MAX_VALUE;
            long end = Long.MIN_VALUE;
            int packets = 0;
            // grabPacket hands out FFmpeg's packet without releasing the previous one: unref each (also on continue).
            for (AVPacket p; (p = grabber.grabPacket()) != null; avcodec.av_packet_unref(p)) {
                if (p.stream_index() != stream) {
                    continue;
                }
                packets++;
                long ts = p.pts() != avutil.AV_NOPTS_VALUE ? p.pts() : p.dts();
                if (ts == avutil.AV_NOPTS_VALUE) {
                    continue;
                }
                first = Math.min(first, ts);
                end = Math.max(end, ts + Math.max(p.duration(), 0));
                if ((end - first) * unit > maxSeconds) {
                    throw tooLong((end - first) * unit, maxSeconds);
                }
            }
            double duration = first <= end ? (end - first) * unit : Double.NaN;
            String codec = avcodec.avcodec_get_name(grabber.getVideoCodec()).getString();
            return new Scan((int) width, (int) height, packets, duration, grabber.getFrameRate(), codec);
        } catch (FrameGrabber.Exception e) {
            throw reject("video.decode", "FFmpeg cannot read the video: " + e.getMessage(), e);
        }
    }

    /**
     * Decodes every frame of the video stream, converting to pixels and resizing only the frames at
     * {@code wanted} indices (sorted), and counts the frames that came out.
     */
    static Decoded decode(Path file, int[] wanted, ImageResizer resizer, long maxPixels) {
        Map<Integer, byte[]> resized = new HashMap<>();
        int n = 0;
        try (FFmpegFrameGrabber grabber = grabber(file); Java2DFrameConverter converter = new Java2DFrameConverter()) {
            grabber.start();
            Frame frame;
            // doProcessing (pixel-format conversion) only for wanted frames: the others are decoded and dropped.
            while ((frame = grabber.grabFrame(false, true, isWanted(wanted, n), false, false)) != null) {
                if (frame.image == null) {
                    continue;
                }
                if (isWanted(wanted, n)) {
                    if ((long) frame.imageWidth * frame.imageHeight > maxPixels) {
                        throw reject("video.too-large", "frame " + n + " is " + frame.imageWidth + "x"
                                + frame.imageHeight + ", more than the limit of " + maxPixels + " pixels (max-pixels)");
                    }
                    resized.put(n, resizer.resizeToRgb(converter.convert(frame)));
                }
                n++;
            }
        } catch (FrameGrabber.Exception e) {
            throw reject("video.decode", "FFmpeg cannot decode frame " + n + ": " + e.getMessage(), e);
        }
        return new Decoded(n, resized);
    }

    static SampleRejectedException tooLong(double seconds, double maxSeconds) {
        return reject("video.too-long", String.format(java.util.Locale.ROOT,
                "the clip runs %.1f s or more, longer than the limit of %.1f s (max-seconds)", seconds, maxSeconds));
    }

    private static FFmpegFrameGrabber grabber(Path file) {
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
        // Spark already runs one task per core; decoder threads per clip would only compete with them.
        grabber.setVideoOption("threads", "1");
        return grabber;
    }

    private static boolean isWanted(int[] wanted, int index) {
        return Arrays.binarySearch(wanted, index) >= 0;
    }

    private static SampleRejectedException reject(String errorClass, String message) {
        return reject(errorClass, message, null);
    }

    private static SampleRejectedException reject(String errorClass, String message, Throwable cause) {
        return new SampleRejectedException("video", errorClass, message, cause);
    }
}
