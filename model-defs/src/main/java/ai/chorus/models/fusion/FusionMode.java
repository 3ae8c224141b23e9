package ai.chorus.models.fusion;

import ai.chorus.models.ModelConfig;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** The {@code chorus.model.fusion} choices of {@link FusionBuilder}, and the inputs each one reads. */
enum FusionMode {
    /** Both token sequences in one joint transformer. */
    EARLY("early", ClassifierGraph.IMAGE, ClassifierGraph.TEXT),
    /** Each tower pooled to its embedding, the two concatenated. */
    LATE("late", ClassifierGraph.IMAGE, ClassifierGraph.TEXT),
    /** Text tokens cross-attend to image tokens; a learned gate mixes the text embedding with what it gathered. */
    GATED("gated", ClassifierGraph.IMAGE, ClassifierGraph.TEXT),
    /** Baseline: the image tower alone. */
    IMAGE_ONLY("image-only", ClassifierGraph.IMAGE),
    /** Baseline: the text tower alone. */
    TEXT_ONLY("text-only", ClassifierGraph.TEXT);

    final String key;
    final List<String> inputs;

    FusionMode(String key, String... inputs) {
        this.key = key;
        this.inputs = List.of(inputs);
    }

    static FusionMode of(ModelConfig cfg) {
        String v = cfg.string("fusion");
        for (FusionMode m : values()) {
            if (m.key.equals(v)) {
                return m;
            }
        }
        throw cfg.bad("fusion", "one of " + Arrays.stream(values()).map(m -> m.key).collect(Collectors.joining(" | "))
                + ", got '" + v + "'");
    }
}
