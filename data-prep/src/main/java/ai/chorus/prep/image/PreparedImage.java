package ai.chorus.prep.image;

/**
 * A decoded, oriented and resized image.
 *
 * @param rgb            pixels as uint8 in height×width×3 (HWC) order, RGB, rows top to bottom
 * @param width          output width (the configured size)
 * @param height         output height (the configured size)
 * @param originalWidth  width as displayed, i.e. after EXIF orientation
 * @param originalHeight height as displayed, i.e. after EXIF orientation
 * @param format         png, jpeg, gif, bmp or webp
 */
public record PreparedImage(byte[] rgb, int width, int height, int originalWidth, int originalHeight, String format) {
}
