package ai.chorus.models;

import java.util.List;
import java.util.Map;

/**
 * How a built graph is fed and read: its inputs in order (each a modality name such as {@code image} or
 * {@code text}), its outputs in order with the kind of labels each expects, and for each modality the
 * vertex whose activation is that modality's embedding (what retrieval and evaluation read).
 */
public record ModelIO(List<String> inputs, List<String> outputs, String labels, Map<String, String> embeddings) {
    /** Labels of a contrastive loss: the identity matrix of the batch (i-th of A matches i-th of B). */
    public static final String IDENTITY_LABELS = "identity";
    /** Labels of a classifier: one-hot class labels. */
    public static final String CLASS_LABELS = "classes";
}
