package ai.chorus.prep.image;

import com.drew.imaging.ImageMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;

/**
 * EXIF orientation (TIFF tag 274): values 1 to 8 say how the stored pixels must be mirrored and/or
 * rotated to be shown upright. Cameras store portrait photos as landscape pixels plus this tag.
 */
public final class Orientation {
    /** Stored pixels are already upright. */
    public static final int NORMAL = 1;

    private Orientation() {
    }

    /**
     * The orientation recorded in the image's EXIF (JPEG APP1, PNG eXIf, WebP EXIF chunk), or
     * {@link #NORMAL} when there is none or it cannot be read: broken metadata must not cost a
     * decodable image.
     */
    public static int fromExif(byte[] encoded) {
        try {
            Metadata metadata = ImageMetadataReader.readMetadata(new ByteArrayInputStream(encoded), encoded.length);
            for (ExifIFD0Directory dir : metadata.getDirectoriesOfType(ExifIFD0Directory.class)) {
                Integer o = dir.getInteger(ExifIFD0Directory.TAG_ORIENTATION);
                if (o != null && o >= 1 && o <= 8) {
                    return o;
                }
            }
        } catch (Exception e) {
            // unreadable metadata: fall through to NORMAL
        }
        return NORMAL;
    }

    /**
     * Returns {@code image} as it is meant to be seen. The transforms map pixel edges onto pixel edges, so
     * nearest-neighbour drawing copies every pixel exactly; alpha is kept.
     */
    public static BufferedImage apply(BufferedImage image, int orientation) {
        if (orientation < 2 || orientation > 8) {
            return image;
        }
        int w = image.getWidth();
        int h = image.getHeight();
        // x' = m00*x + m01*y + m02, y' = m10*x + m11*y + m12 (AffineTransform argument order: m00 m10 m01 m11 m02 m12)
        AffineTransform t = switch (orientation) {
            case 2 -> new AffineTransform(-1, 0, 0, 1, w, 0);   // mirror horizontally
            case 3 -> new AffineTransform(-1, 0, 0, -1, w, h);  // rotate 180°
            case 4 -> new AffineTransform(1, 0, 0, -1, 0, h);   // mirror vertically
            case 5 -> new AffineTransform(0, 1, 1, 0, 0, 0);    // transpose
            case 6 -> new AffineTransform(0, 1, -1, 0, h, 0);   // rotate 90° clockwise
            case 7 -> new AffineTransform(0, -1, -1, 0, h, w);  // transverse
            default -> new AffineTransform(0, -1, 1, 0, 0, w);  // 8: rotate 90° counter-clockwise
        };
        boolean swap = orientation >= 5;
        BufferedImage out = new BufferedImage(swap ? h : w, swap ? w : h,
                image.getColorModel().hasAlpha() ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setComposite(AlphaComposite.Src); // copy, not blend: keeps semi-transparent pixels bit-exact
            g.drawImage(image, t, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
