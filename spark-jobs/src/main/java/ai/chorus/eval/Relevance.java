package ai.chorus.eval;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Which candidates answer which query: query q is relevant to candidate c iff their labels are equal. One label per
 * image covers CLIP_benchmark's retrieval with several captions per image (a text's label is its image) and
 * zero-shot classification (an image's label is its class, a class embedding's label is its index). Kept as
 * candidate lists per label (CSR), so a query's relevant set is one slice.
 */
public final class Relevance implements Serializable {
    private static final long serialVersionUID = 1L;

    private final int[] queryLabels;
    private final int candidates;
    private final int[] offsets;
    private final int[] members;
    private final int maxRelevant;

    public Relevance(int[] queryLabels, int[] candidateLabels) {
        int labels = 0;
        for (int l : candidateLabels) {
            if (l < 0) {
                throw new IllegalArgumentException("labels must be non-negative, got " + l);
            }
            labels = Math.max(labels, l + 1);
        }
        offsets = new int[labels + 1];
        for (int l : candidateLabels) {
            offsets[l + 1]++;
        }
        int max = 0;
        for (int l = 0; l < labels; l++) {
            max = Math.max(max, offsets[l + 1]);
            offsets[l + 1] += offsets[l];
        }
        members = new int[candidateLabels.length];
        int[] fill = Arrays.copyOf(offsets, labels);
        for (int c = 0; c < candidateLabels.length; c++) {
            members[fill[candidateLabels[c]]++] = c;
        }
        for (int q = 0; q < queryLabels.length; q++) {
            int l = queryLabels[q];
            if (l < 0 || l >= labels || offsets[l] == offsets[l + 1]) {
                throw new IllegalArgumentException("query " + q + " (label " + l + ") has no relevant candidate");
            }
        }
        this.queryLabels = queryLabels.clone();
        this.candidates = candidateLabels.length;
        this.maxRelevant = max;
    }

    /** CLIP_benchmark's image_retrieval: text queries, image candidates; a text's hit is its image. */
    public static Relevance textToImage(int[] imageOfText, int images) {
        return new Relevance(imageOfText, identity(images));
    }

    /** CLIP_benchmark's text_retrieval: image queries, text candidates; every caption of the image is relevant. */
    public static Relevance imageToText(int[] imageOfText, int images) {
        return new Relevance(identity(images), imageOfText);
    }

    /** Zero-shot classification: image queries, one candidate per class. */
    public static Relevance classification(int[] classOfImage, int classes) {
        return new Relevance(classOfImage, identity(classes));
    }

    static int[] identity(int n) {
        int[] ids = new int[n];
        Arrays.setAll(ids, i -> i);
        return ids;
    }

    public int queries() {
        return queryLabels.length;
    }

    public int candidates() {
        return candidates;
    }

    public int label(int query) {
        return queryLabels[query];
    }

    /** Largest relevant set of any label (sizes scratch space). */
    int maxRelevant() {
        return maxRelevant;
    }

    int relevantFrom(int query) {
        return offsets[queryLabels[query]];
    }

    int relevantTo(int query) {
        return offsets[queryLabels[query] + 1];
    }

    /** Candidate indices, grouped by label; a query's are [relevantFrom, relevantTo). */
    int relevantCandidate(int i) {
        return members[i];
    }
}
