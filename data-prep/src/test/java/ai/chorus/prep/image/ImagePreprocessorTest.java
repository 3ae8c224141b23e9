package ai.chorus.prep.image;

import static ai.chorus.prep.image.TestImages.BLACK;
import static ai.chorus.prep.image.TestImages.BLUE;
import static ai.chorus.prep.image.TestImages.GREEN;
import static ai.chorus.prep.image.TestImages.MAGENTA;
import static ai.chorus.prep.image.TestImages.RED;
import static ai.chorus.prep.image.TestImages.WHITE;
import static ai.chorus.prep.image.TestImages.YELLOW;
import static ai.chorus.prep.image.TestImages.distance;
import static ai.chorus.prep.image.TestImages.encode;
import static ai.chorus.prep.image.TestImages.hex;
import static ai.chorus.prep.image.TestImages.rgbAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.chorus.prep.SampleRejectedException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.WritableRaster;
import java.awt.Transparency;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImagePreprocessorTest {
    private static final int SIZE = 64;

    private static ImagePreprocessor preprocessor(ResizeMode mode) {
        return new ImagePreprocessor(new ImageOptions(SIZE, mode, MAGENTA, 89_478_485L));
    }

    private static void assertColour(int expected, int actual, int tolerance, String where) {
        assertTrue(distance(expected, actual) <= tolerance,
                where + ": expected " + hex(expected) + " (±" + tolerance + "), got " + hex(actual));
    }

    /** Strip centres of the 200x100 green|red|blue|yellow image after stretching to 64x64. */
    private static void assertStretchedStrips(PreparedImage image, int tolerance) {
        int[] colours = {GREEN, RED, BLUE, YELLOW};
        for (int i = 0; i < 4; i++) {
            for (int y : new int[] {4, 32, 60}) {
                assertColour(colours[i], rgbAt(image.rgb(), SIZE, i * 16 + 8, y), tolerance, "strip " + i + ", row " + y);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"png, 0", "bmp, 0", "gif, 0", "jpeg, 24"})
    void decodesEveryImageIoFormat(String format, int tolerance) {
        PreparedImage image = preprocessor(ResizeMode.STRETCH).process(encode(TestImages.strips(), format));

        assertEquals(format, image.format());
        assertEquals(200, image.originalWidth());
        assertEquals(100, image.originalHeight());
        assertEquals(SIZE, image.width());
        assertEquals(SIZE, image.height());
        assertEquals(SIZE * SIZE * 3, image.rgb().length);
        assertStretchedStrips(image, tolerance);
    }

    @Test
    void decodesWebp(@TempDir Path dir) throws IOException {
        PreparedImage image = preprocessor(ResizeMode.STRETCH).process(TestImages.webp(TestImages.strips(), dir));

        assertEquals("webp", image.format());
        assertEquals(200, image.originalWidth());
        assertEquals(100, image.originalHeight());
        assertStretchedStrips(image, 40); // lossy VP8 with 4:2:0 chroma
    }

    @Test
    void gifKeepsTheFirstFrameOfAnAnimation() throws IOException {
        byte[] gif = AnimatedGif.of(TestImages.quadrants(40, 40, RED, RED, RED, RED),
                TestImages.quadrants(40, 40, BLUE, BLUE, BLUE, BLUE));

        PreparedImage image = preprocessor(ResizeMode.STRETCH).process(gif);

        assertEquals("gif", image.format());
        assertColour(RED, rgbAt(image.rgb(), SIZE, 32, 32), 0, "centre");
    }

    @Test
    void centerCropKeepsTheMiddleOfTheLongSide() {
        byte[] rgb = preprocessor(ResizeMode.CENTER_CROP).process(encode(TestImages.strips(), "png")).rgb();

        // short side 100 -> 64 makes the image 128 wide; the middle 64 columns are the red and blue strips
        for (int y : new int[] {0, 32, 63}) {
            assertColour(RED, rgbAt(rgb, SIZE, 0, y), 0, "left edge");
            assertColour(RED, rgbAt(rgb, SIZE, 30, y), 0, "left of centre");
            assertColour(BLUE, rgbAt(rgb, SIZE, 33, y), 0, "right of centre");
            assertColour(BLUE, rgbAt(rgb, SIZE, 63, y), 0, "right edge");
        }
    }

    @Test
    void keepRatioPadsTopAndBottomWithTheBackground() {
        byte[] rgb = preprocessor(ResizeMode.KEEP_RATIO).process(encode(TestImages.strips(), "png")).rgb();

        // long side 200 -> 64 makes the image 64x32, rows 16..47; strips 16 px wide
        int[] colours = {GREEN, RED, BLUE, YELLOW};
        for (int i = 0; i < 4; i++) {
            int x = i * 16 + 8;
            assertColour(MAGENTA, rgbAt(rgb, SIZE, x, 0), 0, "top padding");
            assertColour(MAGENTA, rgbAt(rgb, SIZE, x, 14), 0, "top padding");
            assertColour(colours[i], rgbAt(rgb, SIZE, x, 17), 0, "image top");
            assertColour(colours[i], rgbAt(rgb, SIZE, x, 46), 0, "image bottom");
            assertColour(MAGENTA, rgbAt(rgb, SIZE, x, 49), 0, "bottom padding");
            assertColour(MAGENTA, rgbAt(rgb, SIZE, x, 63), 0, "bottom padding");
        }
    }

    @Test
    void stretchFillsTheSquareWithTheWholeImage() {
        assertStretchedStrips(preprocessor(ResizeMode.STRETCH).process(encode(TestImages.strips(), "png")), 0);
    }

    @Test
    void transparencyBecomesTheBackground() {
        BufferedImage argb = new BufferedImage(100, 100, BufferedImage.TYPE_INT_ARGB); // starts fully transparent
        Graphics2D g = argb.createGraphics();
        g.setColor(new Color(255, 0, 0, 128));
        g.fillRect(50, 0, 50, 100);
        g.dispose();
        ImagePreprocessor blueBackground = new ImagePreprocessor(new ImageOptions(SIZE, ResizeMode.STRETCH, BLUE, 1_000_000));

        byte[] rgb = blueBackground.process(encode(argb, "png")).rgb();

        assertColour(BLUE, rgbAt(rgb, SIZE, 10, 10), 0, "transparent half");
        assertColour(0x80007F, rgbAt(rgb, SIZE, 50, 10), 1, "half-transparent red over blue");
    }

    @Test
    void grayWithAlphaKeepsItsGrayLevel() {
        // Java2D draws gray+alpha PNGs as linear gray (128 would come out as 188)
        ComponentColorModel cm = new ComponentColorModel(ColorSpace.getInstance(ColorSpace.CS_GRAY), true, false,
                Transparency.TRANSLUCENT, DataBuffer.TYPE_BYTE);
        WritableRaster raster = cm.createCompatibleWritableRaster(8, 8);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                raster.setPixel(x, y, new int[] {128, x < 4 ? 255 : 0});
            }
        }
        byte[] png = encode(new BufferedImage(cm, raster, false, null), "png");

        byte[] rgb = preprocessor(ResizeMode.STRETCH).process(png).rgb();

        assertColour(0x808080, rgbAt(rgb, SIZE, 10, 10), 0, "opaque gray");
        assertColour(MAGENTA, rgbAt(rgb, SIZE, 54, 10), 0, "transparent");
    }

    @Test
    void bigDownscalesAverageInsteadOfAliasing() {
        // A 1-px checkerboard: a single bilinear step at 1/15.6 would pick near-black or near-white samples
        // in a beat pattern; progressive halving averages it to mid-gray everywhere.
        BufferedImage checker = new BufferedImage(1000, 1000, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 1000; y++) {
            for (int x = 0; x < 1000; x++) {
                checker.getRaster().setSample(x, y, 0, (x + y) % 2 == 0 ? 255 : 0);
            }
        }
        byte[] rgb = preprocessor(ResizeMode.STRETCH).process(encode(checker, "png")).rgb();

        for (int i = 0; i < rgb.length; i++) {
            int v = rgb[i] & 0xFF;
            assertTrue(v >= 120 && v <= 135, "byte " + i + " is " + v + ", not mid-gray");
        }
    }

    @Test
    void sameBitsGiveTheSameOutput() {
        byte[] jpeg = encode(TestImages.strips(), "jpeg");

        byte[] first = preprocessor(ResizeMode.CENTER_CROP).process(jpeg).rgb();
        byte[] second = preprocessor(ResizeMode.CENTER_CROP).process(jpeg.clone()).rgb();

        assertArrayEquals(first, second);
    }

    @Test
    void oneInstanceServesManyThreads() throws Exception {
        ImagePreprocessor shared = preprocessor(ResizeMode.CENTER_CROP);
        List<byte[]> inputs = List.of(encode(TestImages.strips(), "jpeg"), encode(TestImages.strips(), "png"),
                encode(TestImages.quadrants(90, 70, RED, GREEN, BLUE, WHITE), "gif"));
        List<byte[]> expected = inputs.stream().map(b -> shared.process(b).rgb()).toList();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                int which = i % inputs.size();
                results.add(pool.submit(() -> Arrays.equals(expected.get(which), shared.process(inputs.get(which)).rgb())));
            }
            for (Future<Boolean> result : results) {
                assertTrue(result.get(), "a concurrent call gave different pixels");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * EXIF orientation 1..8 on a 64x32 JPEG with red, green / blue, white quadrants: the expected quadrants,
     * read row by row, of the image as it should be displayed.
     */
    @ParameterizedTest
    @CsvSource({
        "1, FF0000 00FF00 0000FF FFFFFF",
        "2, 00FF00 FF0000 FFFFFF 0000FF",
        "3, FFFFFF 0000FF 00FF00 FF0000",
        "4, 0000FF FFFFFF FF0000 00FF00",
        "5, FF0000 0000FF 00FF00 FFFFFF",
        "6, 0000FF FF0000 FFFFFF 00FF00",
        "7, FFFFFF 00FF00 0000FF FF0000",
        "8, 00FF00 FFFFFF FF0000 0000FF"})
    void exifOrientationTurnsTheImageUpright(int orientation, String expectedQuadrants) {
        byte[] jpeg = Exif.withOrientation(encode(TestImages.quadrants(64, 32, RED, GREEN, BLUE, WHITE), "jpeg"), orientation);

        DecodedImage upright = preprocessor(ResizeMode.STRETCH).decodeOriented(jpeg);

        boolean turned = orientation >= 5;
        assertEquals(turned ? 32 : 64, upright.width());
        assertEquals(turned ? 64 : 32, upright.height());
        int[] expected = Arrays.stream(expectedQuadrants.split(" ")).mapToInt(s -> Integer.parseInt(s, 16)).toArray();
        int w = upright.width();
        int h = upright.height();
        int[][] centres = {{w / 4, h / 4}, {3 * w / 4, h / 4}, {w / 4, 3 * h / 4}, {3 * w / 4, 3 * h / 4}};
        for (int q = 0; q < 4; q++) {
            int actual = upright.image().getRGB(centres[q][0], centres[q][1]) & 0xFFFFFF;
            assertColour(expected[q], actual, 24, "orientation " + orientation + ", quadrant " + q);
        }
        PreparedImage prepared = preprocessor(ResizeMode.STRETCH).process(jpeg);
        assertEquals(w, prepared.originalWidth());
        assertEquals(h, prepared.originalHeight());
    }

    @Test
    void emptyInputIsRejected() {
        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> preprocessor(ResizeMode.STRETCH).process(new byte[0]));
        assertEquals("image.empty", e.errorClass());
        assertEquals("image", e.stage());
    }

    @Test
    void unknownBytesAreAnUnsupportedFormat() {
        byte[] html = "<html><body>404 Not Found</body></html>".getBytes(StandardCharsets.US_ASCII);

        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> preprocessor(ResizeMode.STRETCH).process(html));

        assertEquals("image.unsupported-format", e.errorClass());
        assertTrue(e.getMessage().contains("3c 68 74 6d"), e.getMessage()); // "<htm", to recognise saved error pages
    }

    @Test
    void formatsOutsideTheListAreRefusedByName() {
        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> preprocessor(ResizeMode.STRETCH).process(encode(TestImages.strips(), "tiff")));

        assertEquals("image.unsupported-format", e.errorClass());
        assertTrue(e.getMessage().contains("tif"), e.getMessage());
    }

    @Test
    void truncatedJpegIsRejectedNotPaddedWithGray() {
        byte[] jpeg = encode(TestImages.strips(), "jpeg");

        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> preprocessor(ResizeMode.STRETCH).process(Arrays.copyOf(jpeg, jpeg.length * 2 / 3)));

        assertEquals("image.decode", e.errorClass());
        assertTrue(e.getMessage().contains("truncated or corrupt"), e.getMessage());
    }

    @Test
    void truncatedPngIsRejected() {
        byte[] png = encode(TestImages.quadrants(300, 300, RED, GREEN, BLUE, WHITE), "png");

        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> preprocessor(ResizeMode.STRETCH).process(Arrays.copyOf(png, png.length / 2)));

        assertEquals("image.decode", e.errorClass());
    }

    @Test
    void corruptPngDataIsRejected() {
        byte[] png = encode(TestImages.quadrants(300, 300, RED, GREEN, BLUE, WHITE), "png");
        int idat = indexOf(png, "IDAT".getBytes(StandardCharsets.US_ASCII));
        for (int i = idat + 6; i < idat + 40; i++) {
            png[i] = (byte) 0xA5; // garbage inside the zlib stream, just past its header
        }

        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> preprocessor(ResizeMode.STRETCH).process(png));

        assertEquals("image.decode", e.errorClass());
    }

    @Test
    void bombHeaderIsRejectedBeforeDecoding() throws IOException {
        // A PNG that announces 100000 x 100000 RGB (30 GB decoded) and holds no pixel data: decoding it
        // would end in OutOfMemoryError or a decode error, never in image.too-large.
        byte[] bomb = pngHeaderOnly(100_000, 100_000);

        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> preprocessor(ResizeMode.STRETCH).process(bomb));

        assertEquals("image.too-large", e.errorClass());
        assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
        assertTrue(e.getMessage().contains("89478485"), e.getMessage());
    }

    @Test
    void pixelLimitIsConfigurable() {
        ImagePreprocessor small = new ImagePreprocessor(new ImageOptions(SIZE, ResizeMode.STRETCH, BLACK, 19_999));

        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> small.process(encode(TestImages.strips(), "jpeg")));

        assertEquals("image.too-large", e.errorClass());
        assertTrue(e.getMessage().contains("200x100"), e.getMessage());
    }

    private static byte[] pngHeaderOnly(int width, int height) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
        DataOutputStream chunk = new DataOutputStream(ihdr);
        chunk.writeBytes("IHDR");
        chunk.writeInt(width);
        chunk.writeInt(height);
        chunk.write(new byte[] {8, 2, 0, 0, 0}); // 8-bit RGB, deflate, adaptive filter, no interlace
        CRC32 crc = new CRC32();
        crc.update(ihdr.toByteArray());
        out.writeInt(13);
        out.write(ihdr.toByteArray());
        out.writeInt((int) crc.getValue());
        return bytes.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
