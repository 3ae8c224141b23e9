package ai.chorus.prep.image;

import java.awt.image.BufferedImage;

/** A decoded image, turned upright by its EXIF orientation, and the format it was stored in. */
public record DecodedImage(BufferedImage image, String format) {
    public int width() {
        return image.getWidth();
    }

    public int height() {
        return image.getHeight();
    }
}
