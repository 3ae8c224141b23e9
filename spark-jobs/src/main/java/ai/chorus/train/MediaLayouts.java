package ai.chorus.train;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * The stored media tensors of a dataset row, rewritten in the layout and scale the models take, into a batch's
 * float array at an offset (plain array loops: one pass, no per-element ND4J calls).
 */
final class MediaLayouts {
    /** Added to the variance before standardising, so a constant (silent) log-mel becomes zeros, not NaN. */
    static final double VARIANCE_EPSILON = 1e-6;

    private MediaLayouts() {
    }

    /**
     * uint8 RGB pixels in HWC order (row, column, colour) starting at {@code src[srcOffset]} to floats in [0, 1] in
     * CHW order: pixel (y, x) colour c lands at {@code dst[dstOffset + (c * h + y) * w + x] = src / 255}.
     */
    static void hwcToChw(byte[] src, int srcOffset, int h, int w, float[] dst, int dstOffset) {
        int plane = h * w;
        int g = dstOffset + plane;
        int b = g + plane;
        for (int p = 0, s = srcOffset; p < plane; p++, s += 3) {
            dst[dstOffset + p] = (src[s] & 0xff) / 255f;
            dst[g + p] = (src[s + 1] & 0xff) / 255f;
            dst[b + p] = (src[s + 2] & 0xff) / 255f;
        }
    }

    /**
     * T frames of uint8 RGB in THWC order to frame-major channels: frame t colour c is channel {@code t * 3 + c} of
     * a [T * 3, h, w] block at {@code dstOffset} (what FoldTimeIntoBatchVertex expects).
     */
    static void framesToChannels(byte[] src, int frames, int h, int w, float[] dst, int dstOffset) {
        int frame = h * w * 3;
        for (int t = 0; t < frames; t++) {
            hwcToChw(src, t * frame, h, w, dst, dstOffset + t * frame);
        }
    }

    /**
     * A float32 little-endian log-mel [nMels][frames] to [nMels][outFrames] at {@code dstOffset}: each band keeps its
     * first {@code min(frames, outFrames)} frames, the kept values are standardised to zero mean and unit variance
     * (over the whole kept spectrogram), and missing frames are zeros (the mean). {@code dst} must be zero there.
     */
    static void logMel(byte[] src, int nMels, int frames, int outFrames, float[] dst, int dstOffset) {
        FloatBuffer in = java.nio.ByteBuffer.wrap(src).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        int kept = Math.min(frames, outFrames);
        for (int m = 0; m < nMels; m++) {
            in.position(m * frames);
            in.get(dst, dstOffset + m * outFrames, kept);
        }
        double sum = 0;
        for (int m = 0; m < nMels; m++) {
            for (int f = 0, i = dstOffset + m * outFrames; f < kept; f++, i++) {
                sum += dst[i];
            }
        }
        long n = (long) nMels * kept;
        double mean = sum / n;
        double squares = 0;
        for (int m = 0; m < nMels; m++) {
            for (int f = 0, i = dstOffset + m * outFrames; f < kept; f++, i++) {
                double d = dst[i] - mean;
                squares += d * d;
            }
        }
        double inv = 1.0 / Math.sqrt(squares / n + VARIANCE_EPSILON);
        for (int m = 0; m < nMels; m++) {
            for (int f = 0, i = dstOffset + m * outFrames; f < kept; f++, i++) {
                dst[i] = (float) ((dst[i] - mean) * inv);
            }
        }
    }
}
