package ai.chorus.prep.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Java2DFrameConverter;

/** Real images in real formats, made by the tests themselves, and ways to look at output pixels. */
public final class TestImages {
    public static final int RED = 0xFF0000, GREEN = 0x00FF00, BLUE = 0x0000FF, YELLOW = 0xFFFF00,
            WHITE = 0xFFFFFF, BLACK = 0x000000, MAGENTA = 0xFF00FF;

    private TestImages() {
    }

    /** 200x100, four vertical 50-px strips: green, red, blue, yellow. */
    public static BufferedImage strips() {
        BufferedImage image = new BufferedImage(200, 100, BufferedImage.TYPE_INT_RGB);
        int[] colours = {GREEN, RED, BLUE, YELLOW};
        Graphics2D g = image.createGraphics();
        for (int i = 0; i < 4; i++) {
            g.setColor(new Color(colours[i]));
            g.fillRect(i * 50, 0, 50, 100);
        }
        g.dispose();
        return image;
    }

    /** w x h, one colour per quadrant: top-left, top-right, bottom-left, bottom-right. */
    public static BufferedImage quadrants(int w, int h, int tl, int tr, int bl, int br) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        int[][] q = {{0, 0, tl}, {w / 2, 0, tr}, {0, h / 2, bl}, {w / 2, h / 2, br}};
        for (int[] c : q) {
            g.setColor(new Color(c[2]));
            g.fillRect(c[0], c[1], w / 2, h / 2);
        }
        g.dispose();
        return image;
    }

    /** w x h black with a white square of side h/4, moved left to right as i goes from 0 to n-1. */
    public static BufferedImage movingSquare(int i, int n, int w, int h) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = image.createGraphics();
        g.setColor(Color.WHITE);
        int side = h / 4;
        g.fillRect(squareLeft(i, n, w, h), (h - side) / 2, side, side);
        g.dispose();
        return image;
    }

    public static int squareLeft(int i, int n, int w, int h) {
        return n == 1 ? 0 : (w - h / 4) * i / (n - 1);
    }

    public static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("ImageIO has no writer for " + format);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** ImageIO cannot write WebP; FFmpeg's libwebp encoder (in the javacv natives) can. Lossy. */
    public static byte[] webp(BufferedImage image, Path dir) throws IOException {
        // JavaCV's converter maps TYPE_3BYTE_BGR to FFmpeg's bgr24 exactly; int-packed images come out with swapped colours.
        BufferedImage bgr = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D g = bgr.createGraphics();
        g.drawImage(image, 0, 0, null);
        g.dispose();
        Path file = dir.resolve("image.webp");
        try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), image.getWidth(), image.getHeight());
             Java2DFrameConverter converter = new Java2DFrameConverter()) {
            recorder.setFormat("webp");
            recorder.setVideoCodecName("libwebp");
            recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
            recorder.start();
            recorder.record(converter.convert(bgr));
            recorder.stop();
        }
        return Files.readAllBytes(file);
    }

    /** RGB of pixel (x, y) of an HWC uint8 buffer holding frames of size x size, frame {@code frame}. */
    public static int rgbAt(byte[] hwc, int size, int frame, int x, int y) {
        int i = ((frame * size + y) * size + x) * 3;
        return (hwc[i] & 0xFF) << 16 | (hwc[i + 1] & 0xFF) << 8 | (hwc[i + 2] & 0xFF);
    }

    public static int rgbAt(byte[] hwc, int size, int x, int y) {
        return rgbAt(hwc, size, 0, x, y);
    }

    /** Largest per-channel difference between two RGB colours. */
    public static int distance(int a, int b) {
        int d = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            d = Math.max(d, Math.abs((a >> shift & 0xFF) - (b >> shift & 0xFF)));
        }
        return d;
    }

    public static String hex(int rgb) {
        return String.format("#%06x", rgb & 0xFFFFFF);
    }
}
