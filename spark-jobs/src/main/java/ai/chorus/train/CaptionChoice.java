package ai.chorus.train;

import java.nio.charset.StandardCharsets;

/**
 * Which of a sample's captions a training step sees: a function of (seed, epoch, key) only, so a rerun, another
 * worker or a resumed run picks the same caption, whatever the batch or partition the sample lands in. Each key
 * starts at a pseudo-random caption and moves to the next one every epoch, so a sample with n captions shows all
 * of them in any n consecutive epochs.
 */
public final class CaptionChoice implements java.io.Serializable {
    private final long seed;

    public CaptionChoice(long seed) {
        this.seed = seed;
    }

    /** Index in [0, captions) of the caption the sample {@code key} uses in {@code epoch}. */
    public int index(String key, int epoch, int captions) {
        if (captions <= 0) {
            throw new IllegalArgumentException("a sample needs at least one caption, got " + captions);
        }
        if (captions == 1) {
            return 0;
        }
        long start = mix(seed ^ mix(hash(key)));
        return (int) Math.floorMod(start + epoch, (long) captions);
    }

    /** FNV-1a over the key's UTF-8 bytes: fixed by its definition, unlike String.hashCode's 32 bits it is 64. */
    private static long hash(String key) {
        long h = 0xcbf29ce484222325L;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser: spreads nearby inputs over all 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
