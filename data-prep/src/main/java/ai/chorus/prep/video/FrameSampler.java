package ai.chorus.prep.video;

/**
 * Which frames of a clip to keep. The clip's N frames are cut into T equal segments and the middle frame
 * of each is taken: {@code idx_i = floor((i + 0.5) * N / T)} for {@code i = 0 .. T-1}. The indices never
 * decrease, the first and last segments are sampled symmetrically, and a clip shorter than T frames repeats
 * frames (N = 3, T = 8 gives 0 0 0 1 1 2 2 2).
 */
public final class FrameSampler {
    private FrameSampler() {
    }

    public static int[] uniformIndices(int sourceFrames, int samples) {
        if (sourceFrames < 1 || samples < 1) {
            throw new IllegalArgumentException("need at least one source frame and one sample, got "
                    + sourceFrames + " and " + samples);
        }
        int[] indices = new int[samples];
        for (int i = 0; i < samples; i++) {
            // (2i + 1) * N / (2T) is (i + 0.5) * N / T in exact integer arithmetic
            indices[i] = (int) ((2L * i + 1) * sourceFrames / (2L * samples));
        }
        return indices;
    }
}
