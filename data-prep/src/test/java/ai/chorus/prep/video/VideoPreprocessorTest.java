package ai.chorus.prep.video;

import static ai.chorus.prep.image.TestImages.rgbAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.chorus.prep.SampleRejectedException;
import ai.chorus.prep.image.ResizeMode;
import ai.chorus.prep.image.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VideoPreprocessorTest {
    private static final int W = 96, H = 64, FPS = 8, SIZE = 32, T = 8;

    @TempDir
    Path dir;

    private static VideoPreprocessor preprocessor(double maxSeconds, long maxPixels) {
        return new VideoPreprocessor(new VideoOptions(T, SIZE, ResizeMode.STRETCH, 0x000000, maxPixels, maxSeconds));
    }

    private static VideoPreprocessor preprocessor() {
        return preprocessor(600, 33_177_600L);
    }

    /** A white square moving left to right over black, {@code n} frames at 8 fps, written by FFmpeg. */
    private Path clip(String name, String format, int codec, int pixelFormat, int n) throws IOException {
        Path file = dir.resolve(name);
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), W, H);
             Java2DFrameConverter converter = new Java2DFrameConverter()) {
            recorder.setFormat(format);
            recorder.setVideoCodec(codec);
            recorder.setPixelFormat(pixelFormat);
            recorder.setFrameRate(FPS);
            recorder.start();
            for (int i = 0; i < n; i++) {
                recorder.record(converter.convert(TestImages.movingSquare(i, n, W, H)));
            }
            recorder.stop();
        }
        return file;
    }

    private Path mp4(int n) throws IOException {
        return clip("clip.mp4", "mp4", avcodec.AV_CODEC_ID_H264, avutil.AV_PIX_FMT_YUV420P, n);
    }

    /** Mean x of the bright pixels of frame {@code f}, in output pixels. */
    private static double centroidX(byte[] frames, int f) {
        double sum = 0;
        int count = 0;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                if ((rgbAt(frames, SIZE, f, x, y) & 0xFF) > 128) {
                    sum += x + 0.5;
                    count++;
                }
            }
        }
        assertTrue(count > 0, "frame " + f + " shows no square");
        return sum / count;
    }

    /** Where the square of source frame {@code index} of {@code n} has its centre, in output pixels. */
    private static double expectedCentroidX(int index, int n) {
        return (TestImages.squareLeft(index, n, W, H) + H / 8.0) * SIZE / W;
    }

    private static void assertSquareFollowsSampledFrames(PreparedVideo video, int sourceFrames) {
        int[] sampled = FrameSampler.uniformIndices(sourceFrames, T);
        double previous = Double.NEGATIVE_INFINITY;
        for (int f = 0; f < T; f++) {
            double x = centroidX(video.frames(), f);
            assertEquals(expectedCentroidX(sampled[f], sourceFrames), x, 1.0, "frame " + f + " (source " + sampled[f] + ")");
            assertTrue(x >= previous, "the square moved backwards at frame " + f);
            previous = x;
        }
    }

    @ParameterizedTest
    @CsvSource({
        "clip.mp4,  mp4,  H264, YUV420P, h264",
        "clip.webm, webm, VP8,  YUV420P, vp8",
        "clip.webm, webm, VP9,  YUV420P, vp9",
        "clip.gif,  gif,  GIF,  RGB8,    gif"})
    void samplesFramesUniformlyFromVideoFiles(String name, String format, String codec, String pixelFormat,
                                              String expectedCodec) throws Exception {
        int codecId = avcodec.class.getField("AV_CODEC_ID_" + codec).getInt(null);
        int pixelFormatId = avutil.class.getField("AV_PIX_FMT_" + pixelFormat).getInt(null);
        Path file = clip(name, format, codecId, pixelFormatId, 16);

        PreparedVideo video = preprocessor().process(file);

        assertEquals(T, video.frameCount());
        assertEquals(T * SIZE * SIZE * 3, video.frames().length);
        assertEquals(SIZE, video.width());
        assertEquals(SIZE, video.height());
        assertEquals(W, video.originalWidth());
        assertEquals(H, video.originalHeight());
        assertEquals(16, video.sourceFrames());
        assertEquals(2.0, video.durationSeconds(), 0.05);
        assertEquals(FPS, video.fps(), 0.2);
        assertEquals(expectedCodec, video.format());
        assertSquareFollowsSampledFrames(video, 16);
    }

    @Test
    void clipsShorterThanTRepeatFrames() throws IOException {
        PreparedVideo video = preprocessor().process(mp4(3));

        assertEquals(3, video.sourceFrames());
        assertEquals(T, video.frameCount());
        // indices 0 0 0 1 1 2 2 2
        byte[][] frames = new byte[T][];
        int frameBytes = SIZE * SIZE * 3;
        for (int f = 0; f < T; f++) {
            frames[f] = Arrays.copyOfRange(video.frames(), f * frameBytes, (f + 1) * frameBytes);
        }
        assertArrayEquals(frames[0], frames[2]);
        assertArrayEquals(frames[3], frames[4]);
        assertArrayEquals(frames[5], frames[7]);
        assertTrue(centroidX(video.frames(), 0) < centroidX(video.frames(), 3));
        assertTrue(centroidX(video.frames(), 3) < centroidX(video.frames(), 5));
    }

    @Test
    void framesTheDecoderDropsAreNotSampled() throws IOException {
        // Blank out the 6th frame's packet: the demuxer still delivers 16 packets, the decoder only 15 frames,
        // so sampling must follow the frames that came out (the second decoding pass), not the packets.
        Path file = mp4(16);
        long[] packet = packetPosition(file, 5);
        byte[] bytes = Files.readAllBytes(file);
        Arrays.fill(bytes, (int) packet[0], (int) (packet[0] + packet[1]), (byte) 0);
        Files.write(file, bytes);

        PreparedVideo video = preprocessor().process(file);

        assertEquals(15, video.sourceFrames());
        assertEquals(T, video.frameCount());
        int[] sampled = FrameSampler.uniformIndices(15, T);
        for (int f = 0; f < T; f++) {
            int source = sampled[f] < 5 ? sampled[f] : sampled[f] + 1; // decoded frame k >= 5 is source frame k + 1
            assertEquals(expectedCentroidX(source, 16), centroidX(video.frames(), f), 1.0, "frame " + f);
        }
    }

    /** Byte offset and size in the file of the video packet with index {@code index}. */
    private static long[] packetPosition(Path file, int index) throws IOException {
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile())) {
            grabber.start();
            for (int i = 0; ; i++) {
                AVPacket p = grabber.grabPacket();
                long[] found = {p.pos(), p.size()};
                avcodec.av_packet_unref(p);
                if (i == index) {
                    return found;
                }
            }
        }
    }

    @Test
    void sameFileGivesTheSameFrames() throws IOException {
        Path file = mp4(16);

        assertArrayEquals(preprocessor().process(file).frames(), preprocessor().process(file).frames());
    }

    @Test
    void frameFolderIsSampledLikeAVideo() {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            frames.add(TestImages.encode(TestImages.movingSquare(i, 16, W, H), i % 2 == 0 ? "png" : "jpeg"));
        }

        PreparedVideo video = preprocessor().processFrames(frames);

        assertEquals("frames", video.format());
        assertEquals(16, video.sourceFrames());
        assertEquals(W, video.originalWidth());
        assertEquals(H, video.originalHeight());
        assertTrue(Double.isNaN(video.fps()) && Double.isNaN(video.durationSeconds()), "the frame rate is unknown");
        assertSquareFollowsSampledFrames(video, 16);

        PreparedVideo timed = preprocessor().processFrames(frames, 8);
        assertEquals(2.0, timed.durationSeconds(), 1e-9);
        assertEquals(8.0, timed.fps(), 1e-9);
        assertArrayEquals(video.frames(), timed.frames());
    }

    @Test
    void badSampledFrameRejectsTheFolderAsAVideo() {
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            frames.add(TestImages.encode(TestImages.movingSquare(i, 16, W, H), "png"));
        }
        frames.set(3, Arrays.copyOf(frames.get(3), 40)); // frame 3 is sampled (indices 1, 3, 5, ...)

        SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> preprocessor().processFrames(frames));

        assertEquals("video", e.stage());
        assertEquals("video.decode", e.errorClass());
        assertTrue(e.getMessage().startsWith("frame 3 of 16"), e.getMessage());
    }

    @Test
    void emptyInputsAreRejected() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.mp4"));

        assertEquals("video.empty", assertThrows(SampleRejectedException.class,
                () -> preprocessor().process(empty)).errorClass());
        assertEquals("video.empty", assertThrows(SampleRejectedException.class,
                () -> preprocessor().processFrames(List.of())).errorClass());
    }

    @Test
    void garbageIsADecodeError() throws IOException {
        byte[] noise = new byte[4096];
        new Random(7).nextBytes(noise);
        Path file = Files.write(dir.resolve("noise.mp4"), noise);

        SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> preprocessor().process(file));

        assertEquals("video.decode", e.errorClass());
    }

    @Test
    void truncatedMp4IsADecodeError() throws IOException {
        byte[] mp4 = Files.readAllBytes(mp4(16));
        Path cut = Files.write(dir.resolve("cut.mp4"), Arrays.copyOf(mp4, mp4.length / 2)); // index (moov) is at the end

        SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> preprocessor().process(cut));

        assertEquals("video.decode", e.errorClass());
    }

    @Test
    void audioOnlyFileHasNoVideoStream() throws IOException {
        AudioFormat format = new AudioFormat(8000, 16, 1, true, false);
        byte[] silence = new byte[8000 * 2];
        Path wav = dir.resolve("sound.wav");
        AudioSystem.write(new AudioInputStream(new ByteArrayInputStream(silence), format, 8000),
                AudioFileFormat.Type.WAVE, wav.toFile());

        SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> preprocessor().process(wav));

        assertEquals("video.decode", e.errorClass());
        assertTrue(e.getMessage().contains("no video stream"), e.getMessage());
    }

    @Test
    void clipsLongerThanTheLimitAreRejected() throws IOException {
        Path twoSeconds = mp4(16);

        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> preprocessor(1.5, 33_177_600L).process(twoSeconds));

        assertEquals("video.too-long", e.errorClass());
        assertTrue(e.getMessage().contains("1.5 s"), e.getMessage());
        List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            frames.add(TestImages.encode(TestImages.movingSquare(i, 16, W, H), "png"));
        }
        assertEquals("video.too-long", assertThrows(SampleRejectedException.class,
                () -> preprocessor(1.5, 33_177_600L).processFrames(frames, 8)).errorClass());
    }

    @Test
    void framesLargerThanTheLimitAreRejected() throws IOException {
        Path file = mp4(4);

        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> preprocessor(600, W * H - 1).process(file));

        assertEquals("video.too-large", e.errorClass());
        assertTrue(e.getMessage().contains(W + "x" + H), e.getMessage());
    }
}
