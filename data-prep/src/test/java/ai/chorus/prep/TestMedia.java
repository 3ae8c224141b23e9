package ai.chorus.prep;

import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

import javax.imageio.ImageIO;
import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32;

/** Real media files in real formats, written by the JDK's and FFmpeg's own encoders, for tests. */
public final class TestMedia {
    private TestMedia() {
    }

    /** A w×h image: left half {@code left}, right half {@code right}. */
    public static BufferedImage halves(int w, int h, Color left, Color right) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(left);
        g.fillRect(0, 0, w / 2, h);
        g.setColor(right);
        g.fillRect(w / 2, 0, w - w / 2, h);
        g.dispose();
        return img;
    }

    public static byte[] encode(BufferedImage img, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(img, format, out)) {
                throw new IllegalStateException("no ImageIO writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Path write(Path file, byte[] bytes) {
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PNG whose header announces width×height pixels but holds no image data. */
    public static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height).put((byte) 8).put((byte) 2)
                .put((byte) 0).put((byte) 0).put((byte) 0);
        byte[] type = "IHDR".getBytes();
        CRC32 crc = new CRC32();
        crc.update(type);
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 4 + 13 + 4);
        png.put(new byte[]{(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        png.putInt(13).put(type).put(ihdr.array()).putInt((int) crc.getValue());
        return png.array();
    }

    /** Corrupts the body of an encoded file, keeping its signature. */
    public static byte[] corrupt(byte[] bytes) {
        byte[] out = bytes.clone();
        for (int i = 40; i < out.length; i += 3) {
            out[i] = (byte) (out[i] ^ 0x5a);
        }
        return out;
    }

    public static byte[] truncate(byte[] bytes, double fraction) {
        return Arrays.copyOf(bytes, (int) (bytes.length * fraction));
    }

    /** A 16-bit PCM mono WAV of a sine tone. */
    public static byte[] wavTone(double hz, double seconds, int sampleRate) {
        int n = (int) (seconds * sampleRate);
        ByteBuffer pcm = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            pcm.putShort((short) (0.5 * Short.MAX_VALUE * Math.sin(2 * Math.PI * hz * i / sampleRate)));
        }
        AudioFormat format = new AudioFormat(sampleRate, 16, 1, true, false);
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(pcm.array()), format, n)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A WAV whose format tag is one no decoder knows (0x1234), with a plausible header otherwise. */
    public static byte[] wavUnknownEncoding() {
        byte[] wav = wavTone(440, 0.2, 8000);
        ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN).putShort(20, (short) 0x1234);
        return wav;
    }

    /** An MP4 (MPEG-4 part 2) of a white square moving left to right over {@code frames} frames. */
    public static Path movingSquareMp4(Path file, int frames, int size) {
        try {
            Files.createDirectories(file.getParent());
            try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(file.toFile(), size, size, 0);
                 Java2DFrameConverter conv = new Java2DFrameConverter()) {
                rec.setFormat("mp4");
                rec.setVideoCodec(org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4);
                rec.setPixelFormat(org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P);
                rec.setFrameRate(8);
                rec.setVideoQuality(2);
                rec.start();
                for (int i = 0; i < frames; i++) {
                    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_3BYTE_BGR);
                    Graphics2D g = img.createGraphics();
                    g.setColor(Color.WHITE);
                    int x = i * (size - size / 4) / Math.max(1, frames - 1);
                    g.fillRect(x, size / 2 - size / 8, size / 4, size / 4);
                    g.dispose();
                    rec.record(conv.convert(img));
                }
                rec.stop();
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
