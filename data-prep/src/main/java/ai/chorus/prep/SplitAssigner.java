package ai.chorus.prep;

import ai.chorus.config.ConfigValues;
import com.typesafe.config.Config;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The split of a sample is a pure function of (seed, key): SHA-256 of both, read as a number in
 * [0, 1), against the cumulative fractions. A sample keeps its split across reruns, shard counts and
 * corpus growth, which is what makes held-out numbers comparable between runs.
 */
public record SplitAssigner(String seed, double train, double val, double test) implements Serializable {
    public static final String TRAIN = "train";
    public static final String VAL = "val";
    public static final String TEST = "test";

    public static SplitAssigner fromConfig(Config config, String path) {
        double train = ConfigValues.doubleBetween(config, path + ".train", 0, 1);
        double val = ConfigValues.doubleBetween(config, path + ".val", 0, 1);
        double test = ConfigValues.doubleBetween(config, path + ".test", 0, 1);
        if (Math.abs(train + val + test - 1.0) > 1e-9) {
            throw ConfigValues.bad(config, path + ".test",
                    "expected split fractions train + val + test to add up to 1 (they add up to " + (train + val + test) + ")");
        }
        return new SplitAssigner(config.getString(path + ".seed"), train, val, test);
    }

    public String splitOf(String key) {
        double u = unitHash(key);
        if (u < train) {
            return TRAIN;
        }
        return u < train + val ? VAL : TEST;
    }

    double unitHash(String key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(seed.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            byte[] digest = sha.digest(key.getBytes(StandardCharsets.UTF_8));
            long top53 = ByteBuffer.wrap(digest).getLong() >>> 11;
            return top53 / (double) (1L << 53);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JDK", e);
        }
    }
}
