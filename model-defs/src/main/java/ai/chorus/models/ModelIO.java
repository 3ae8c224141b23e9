package ai.chorus.models;

import java.util.List;
import java.util.Map;

/**
 * How a built graph is fed and read: its inputs in order (each a modality name such as {@code image} or
 * {@code text}, or the presence flag of one), its outputs in order with the kind of labels each expects, and for
 * each modality the vertex whose activation is that modality's embedding (what retrieval and evaluation read).
 *
 * <p>Samples that lack a modality (a model over image, text and audio where only some samples have speech): such
 * a model also takes, for each modality {@code m}, the input {@link #presenceInput presenceInput(m)} =
 * {@code "<m>Present"}, a [B, 1] float array, 1 where the sample has that modality and 0 where not. The missing
 * modality's own input is then zeros of its usual shape (text: token ids 0 and a mask row of zeros). The labels
 * stay the same (identity matrices, no label masks): the graph masks what involves a missing modality itself.
 */
public record ModelIO(List<String> inputs, List<String> outputs, String labels, Map<String, String> embeddings)
        implements java.io.Serializable {
    /** Labels of a contrastive loss: the identity matrix of the batch (i-th of A matches i-th of B). */
    public static final String IDENTITY_LABELS = "identity";
    /** Labels of a classifier: one-hot class labels. */
    public static final String CLASS_LABELS = "classes";
    /** Suffix of a presence input's name: {@code imagePresent} flags the samples that have an image. */
    public static final String PRESENCE_SUFFIX = "Present";

    /** The name of the input that flags which samples have {@code modality}: {@code modality + "Present"}. */
    public static String presenceInput(String modality) {
        if (modality == null || modality.isEmpty() || isPresenceInput(modality)) {
            throw new IllegalArgumentException("not a modality name: " + modality);
        }
        return modality + PRESENCE_SUFFIX;
    }

    /** True if {@code input} is a presence flag ([B, 1] of 1/0) rather than a modality's data. */
    public static boolean isPresenceInput(String input) {
        return input.endsWith(PRESENCE_SUFFIX) && input.length() > PRESENCE_SUFFIX.length();
    }

    /** The modality a presence input flags: {@code audioPresent} gives {@code audio}. */
    public static String modalityOfPresence(String input) {
        if (!isPresenceInput(input)) {
            throw new IllegalArgumentException("not a presence input: " + input);
        }
        return input.substring(0, input.length() - PRESENCE_SUFFIX.length());
    }

    /** The presence inputs of this model, in input order (empty for a model whose samples have every modality). */
    public List<String> presenceInputs() {
        return inputs.stream().filter(ModelIO::isPresenceInput).toList();
    }
}
