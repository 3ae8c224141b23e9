package ai.chorus.eval;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;

/**
 * CLIP's zero-shot classifier from class names and prompt templates: every template filled with every class name
 * ({@code {c}} is the placeholder, as in CLIP_benchmark's templates), the prompts embedded by the text tower, and
 * each class' embedding the normalised mean of its normalised prompt embeddings.
 */
public final class ZeroShotClassifier {
    private ZeroShotClassifier() {
    }

    /** Prompts class-major: class 0 with every template, then class 1, ... */
    public static List<String> prompts(List<String> classNames, List<String> templates) {
        if (classNames.isEmpty() || templates.isEmpty()) {
            throw new IllegalArgumentException("need at least one class name and one template");
        }
        for (String t : templates) {
            if (!t.contains("{c}")) {
                throw new IllegalArgumentException("template has no {c} placeholder: " + t);
            }
        }
        List<String> prompts = new ArrayList<>(classNames.size() * templates.size());
        for (String c : classNames) {
            for (String t : templates) {
                prompts.add(t.replace("{c}", c));
            }
        }
        return prompts;
    }

    /** [C * T, D] prompt embeddings in {@link #prompts} order to [C, D] unit class embeddings. */
    public static INDArray classEmbeddings(INDArray promptEmbeddings, int classes) {
        long n = promptEmbeddings.rows();
        if (classes < 1 || n % classes != 0) {
            throw new IllegalArgumentException(n + " prompt embeddings do not split into " + classes + " classes");
        }
        long templates = n / classes;
        INDArray unit = UnitRows.normalized(promptEmbeddings);
        INDArray mean = unit.reshape('c', classes, templates, unit.columns()).mean(1);
        return UnitRows.normalized(mean);
    }
}
