package ai.chorus.models.encoders;

import ai.chorus.models.ModelConfig;
import ai.chorus.models.blocks.ContrastiveLogitsVertex;

/** The logits vertex of every contrastive model, as its model file sets it: CLIP's learnable temperature. */
public final class ContrastiveLogits {
    private ContrastiveLogits() {
    }

    /** From {@code temperature} (initial) and {@code max-logit-scale} (the cap on the learned exp(s)). */
    public static ContrastiveLogitsVertex of(ModelConfig cfg) {
        return ContrastiveLogitsVertex.builder()
                .initialTemperature(cfg.positiveDouble("temperature"))
                .maxScale(cfg.positiveDouble("max-logit-scale")).build();
    }
}
