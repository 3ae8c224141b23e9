package ai.chorus.prep.image;

import java.awt.image.BufferedImage;

/**
 * One image file's bytes to a {@link PreparedImage}: detect the format, check the announced size, decode,
 * turn upright (EXIF orientation), composite transparency over the background and resize to size×size.
 * Immutable and thread-safe: one instance can serve every task of an executor.
 */
public final class ImagePreprocessor {
    private final ImageOptions options;
    private final ImageDecoder decoder;
    private final ImageResizer resizer;

    public ImagePreprocessor(ImageOptions options) {
        this.options = options;
        this.decoder = new ImageDecoder(options.maxPixels());
        this.resizer = new ImageResizer(options);
    }

    /** @throws ai.chorus.prep.SampleRejectedException image.empty, image.unsupported-format, image.too-large, image.decode */
    public PreparedImage process(byte[] encoded) {
        DecodedImage decoded = decodeOriented(encoded);
        return new PreparedImage(resizeToRgb(decoded.image()), options.size(), options.size(),
                decoded.width(), decoded.height(), decoded.format());
    }

    /** Decodes and turns upright, without resizing (for video frame folders and thumbnails). */
    public DecodedImage decodeOriented(byte[] encoded) {
        return decoder.decode(encoded);
    }

    /** size×size×3 RGB bytes of any image, by this preprocessor's resize mode and background. */
    public byte[] resizeToRgb(BufferedImage image) {
        return resizer.resizeToRgb(image);
    }

    public ImageOptions options() {
        return options;
    }
}
