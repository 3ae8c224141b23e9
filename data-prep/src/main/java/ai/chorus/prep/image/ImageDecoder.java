package ai.chorus.prep.image;

import ai.chorus.prep.SampleRejectedException;
import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.spi.IIORegistry;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Encoded bytes to an upright {@link BufferedImage}: PNG, JPEG, GIF (first frame), BMP and WebP. Refuses,
 * with a {@link SampleRejectedException}, input that is empty ({@code image.empty}), of another format
 * ({@code image.unsupported-format}), announces more than {@code maxPixels} pixels in its header
 * ({@code image.too-large}, checked before any pixel is decoded) or is damaged ({@code image.decode}).
 * Stateless apart from the limit, so one instance can serve many threads.
 */
public final class ImageDecoder {
    /** The formats accepted, by their ImageIO reader's format name. */
    public static final List<String> FORMATS = List.of("png", "jpeg", "gif", "bmp", "webp");

    static {
        // Executors may initialise ImageIO's registry from a thread whose class loader cannot see the
        // TwelveMonkeys service file; registering the WebP reader by hand does not depend on that.
        IIORegistry.getDefaultInstance().registerServiceProvider(new WebPImageReaderSpi());
    }

    private final long maxPixels;

    public ImageDecoder(long maxPixels) {
        this.maxPixels = maxPixels;
    }

    public DecodedImage decode(byte[] encoded) {
        if (encoded == null || encoded.length == 0) {
            throw reject("image.empty", "the image is empty (0 bytes)", null);
        }
        // In-memory stream: ImageIO.createImageInputStream may spill to a temporary file.
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(encoded))) {
            ImageReader reader = readerFor(in, encoded);
            try {
                return read(reader, in, encoded);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof SampleRejectedException rejected) {
                throw rejected;
            }
            throw reject("image.decode", "cannot decode the image: " + describe(e), e);
        }
    }

    private DecodedImage read(ImageReader reader, ImageInputStream in, byte[] encoded) throws IOException {
        String format = formatOf(reader);
        reader.setInput(in, true, true);
        long width = reader.getWidth(0);
        long height = reader.getHeight(0);
        if (width * height > maxPixels) {
            throw reject("image.too-large", "the " + format + " header announces " + width + "x" + height + " = "
                    + width * height + " pixels, more than the limit of " + maxPixels + " (max-pixels)", null);
        }
        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage image;
        try {
            image = reader.read(0);
        } catch (IOException | RuntimeException e) {
            throw reject("image.decode", "cannot decode " + format + ": " + describe(e), e);
        }
        // ImageIO returns a partly grey image for a truncated or corrupt JPEG and only warns; "extraneous
        // bytes before marker" is the one common warning after which every pixel is still intact.
        warnings.removeIf(w -> w.contains("extraneous bytes before marker"));
        if (!warnings.isEmpty()) {
            throw reject("image.decode", format + " data is truncated or corrupt: " + String.join("; ", warnings), null);
        }
        int orientation = format.equals("gif") || format.equals("bmp") ? Orientation.NORMAL : Orientation.fromExif(encoded);
        return new DecodedImage(Orientation.apply(grayAlphaToArgb(image), orientation), format);
    }

    private static ImageReader readerFor(ImageInputStream in, byte[] encoded) throws IOException {
        String other = null;
        for (Iterator<ImageReader> it = ImageIO.getImageReaders(in); it.hasNext(); ) {
            ImageReader reader = it.next();
            String format = formatOf(reader);
            if (FORMATS.contains(format)) {
                return reader;
            }
            other = other == null ? format : other;
            reader.dispose();
        }
        String what = other != null ? "the image is " + other
                : "not an image format ImageIO recognises (first bytes: "
                        + HexFormat.ofDelimiter(" ").formatHex(encoded, 0, Math.min(8, encoded.length)) + ")";
        throw reject("image.unsupported-format", what + "; supported: " + String.join(", ", FORMATS), null);
    }

    private static String formatOf(ImageReader reader) throws IOException {
        return reader.getFormatName().toLowerCase(Locale.ROOT);
    }

    /**
     * Java2D treats the colour space of gray-with-alpha PNGs (a TYPE_CUSTOM image) as linear and brightens
     * it when drawing (128 becomes 188); gray values are already sRGB-encoded, so copy them across as is.
     */
    static BufferedImage grayAlphaToArgb(BufferedImage image) {
        ColorModel cm = image.getColorModel();
        if (image.getType() != BufferedImage.TYPE_CUSTOM || cm.getColorSpace().getType() != ColorSpace.TYPE_GRAY) {
            return image;
        }
        Raster raster = image.getRaster();
        int w = image.getWidth();
        int bands = raster.getNumBands();
        int grayMax = (1 << cm.getComponentSize(0)) - 1;
        int alphaMax = bands > 1 ? (1 << cm.getComponentSize(1)) - 1 : 1;
        BufferedImage out = new BufferedImage(w, image.getHeight(), BufferedImage.TYPE_INT_ARGB);
        int[] samples = new int[w * bands];
        int[] argb = new int[w];
        for (int y = 0; y < image.getHeight(); y++) {
            raster.getPixels(0, y, w, 1, samples);
            for (int x = 0; x < w; x++) {
                int g = to8(samples[x * bands], grayMax);
                int a = bands > 1 ? to8(samples[x * bands + 1], alphaMax) : 255;
                argb[x] = a << 24 | g << 16 | g << 8 | g;
            }
            out.setRGB(0, y, w, 1, argb, 0, w);
        }
        return out;
    }

    private static int to8(int sample, int max) {
        return (sample * 255 + max / 2) / max;
    }

    private static String describe(Throwable e) {
        String message = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return e.getCause() != null && e.getCause() != e ? message + " (" + describe(e.getCause()) + ")" : message;
    }

    private static SampleRejectedException reject(String errorClass, String message, Throwable cause) {
        return new SampleRejectedException("image", errorClass, message, cause);
    }
}
