package ai.chorus.eval;

import ai.chorus.config.ConfigValues;
import com.typesafe.config.Config;

import java.util.ArrayList;
import java.util.List;

/** Everything `chorus embed` and `chorus eval` need, read and validated from {@code chorus.eval} before any work. */
public record EvalOptions(String run, String dataset, String split, String output, List<String> pairs,
                          List<Integer> ks, int batchSize, long blockBytes, int examples, String zeroShotModality,
                          List<String> templates) {
    private static final List<String> MODALITIES = List.of("image", "text", "audio", "video");

    public static EvalOptions fromConfig(Config c) {
        String p = "chorus.eval.";
        List<String> pairs = c.getStringList(p + "pairs");
        for (String pair : pairs) {
            String[] m = pair.split("-");
            if (m.length != 2 || !MODALITIES.contains(m[0]) || !MODALITIES.contains(m[1]) || m[0].equals(m[1])) {
                throw ConfigValues.bad(c, p + "pairs", "'" + pair + "' is not a pair of two different modalities "
                        + MODALITIES + " joined by '-', e.g. text-image");
            }
        }
        List<Integer> ks = new ArrayList<>();
        for (Integer k : c.getIntList(p + "ks")) {
            if (k < 1) {
                throw ConfigValues.bad(c, p + "ks", "every K must be at least 1, got " + k);
            }
            ks.add(k);
        }
        if (ks.isEmpty()) {
            throw ConfigValues.bad(c, p + "ks", "needs at least one K, e.g. [1, 5, 10]");
        }
        String zeroShot = ConfigValues.requiredString(c, p + "zeroshot.modality", "a modality or none");
        if (!zeroShot.equals("none") && (!MODALITIES.contains(zeroShot) || zeroShot.equals("text"))) {
            throw ConfigValues.bad(c, p + "zeroshot.modality", "expected image, audio, video or none, got '" + zeroShot + "'");
        }
        List<String> templates = c.getStringList(p + "zeroshot.templates");
        if (templates.isEmpty() || templates.stream().anyMatch(t -> !t.contains("{c}"))) {
            throw ConfigValues.bad(c, p + "zeroshot.templates", "expected templates that each contain {c}, got " + templates);
        }
        return new EvalOptions(
                ConfigValues.requiredString(c, p + "run", "the folder of a finished `chorus train` run"),
                ConfigValues.optionalString(c, p + "dataset"),
                ConfigValues.requiredString(c, p + "split", "a split name such as test"),
                ConfigValues.requiredString(c, p + "output", "the evaluation folder"),
                List.copyOf(pairs), List.copyOf(ks),
                ConfigValues.intAtLeast(c, p + "batch-size", 1),
                ConfigValues.longAtLeast(c, p + "block-bytes", 1 << 20),
                ConfigValues.intAtLeast(c, p + "examples", 0),
                zeroShot, List.copyOf(templates));
    }
}
