package ai.chorus.prep.image;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;

/**
 * Any {@link BufferedImage} to size×size RGB bytes (HWC, uint8): one bilinear {@code drawImage} onto a
 * canvas filled with the background colour, which also composites transparency over that colour.
 * Immutable and thread-safe; the same pixels in give the same bytes out.
 */
public final class ImageResizer {
    private final int size;
    private final ResizeMode mode;
    private final Color background;

    public ImageResizer(int size, ResizeMode mode, int backgroundRgb) {
        this.size = size;
        this.mode = mode;
        this.background = new Color(backgroundRgb);
    }

    public ImageResizer(ImageOptions options) {
        this(options.size(), options.resizeMode(), options.background());
    }

    public byte[] resizeToRgb(BufferedImage image) {
        BufferedImage src = image;
        double sx = (double) size / src.getWidth();
        double sy = (double) size / src.getHeight();
        switch (mode) {
            case CENTER_CROP -> sx = sy = Math.max(sx, sy);
            case KEEP_RATIO -> sx = sy = Math.min(sx, sy);
            case STRETCH -> { }
        }
        // Bilinear reads only the 2x2 source pixels nearest each output pixel, so below half scale it skips
        // pixels and aliases. Halving first makes every step an exact 2x2 average (like OpenCV's INTER_AREA).
        while (sx < 0.5 || sy < 0.5) {
            int w = sx < 0.5 ? (src.getWidth() + 1) / 2 : src.getWidth();
            int h = sy < 0.5 ? (src.getHeight() + 1) / 2 : src.getHeight();
            double fx = (double) w / src.getWidth();
            double fy = (double) h / src.getHeight();
            src = draw(src, w, h, AffineTransform.getScaleInstance(fx, fy));
            sx /= fx;
            sy /= fy;
        }
        // Centred: crops equally from both ends (center-crop) or pads equally on both sides (keep-ratio).
        double tx = (size - src.getWidth() * sx) / 2;
        double ty = (size - src.getHeight() * sy) / 2;
        BufferedImage canvas = draw(src, size, size, new AffineTransform(sx, 0, 0, sy, tx, ty));
        int[] pixels = ((DataBufferInt) canvas.getRaster().getDataBuffer()).getData();
        byte[] rgb = new byte[pixels.length * 3];
        for (int i = 0, j = 0; i < pixels.length; i++) {
            int p = pixels[i];
            rgb[j++] = (byte) (p >> 16);
            rgb[j++] = (byte) (p >> 8);
            rgb[j++] = (byte) p;
        }
        return rgb;
    }

    /** An opaque w×h image: the background, with {@code src} drawn over it through {@code transform}. */
    private BufferedImage draw(BufferedImage src, int w, int h, AffineTransform transform) {
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        try {
            g.setColor(background);
            g.fillRect(0, 0, w, h);
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(src, transform, null);
        } finally {
            g.dispose();
        }
        return out;
    }
}
