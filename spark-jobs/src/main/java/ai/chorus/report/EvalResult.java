package ai.chorus.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One evaluation's results file (CLIP_benchmark style): task, model, dataset, split, the modality pair, config hash,
 * sizes, tie rule and a flat map of metrics. Fields an older writer left out are empty strings / empty lists.
 */
public record EvalResult(Path file, String task, String model, String dataset, String split, List<String> pair,
                         String configHash, Map<String, Long> sizes, String tieRule, Map<String, Double> metrics,
                         Map<String, Double> chance) {
    public static final String RETRIEVAL = "zeroshot_retrieval";
    public static final String CLASSIFICATION = "zeroshot_classification";
    private static final Pattern RETRIEVAL_METRIC = Pattern.compile("([a-z0-9]+)_retrieval_(.+)");
    private static final Pattern RECALL = Pattern.compile("recall@(\\d+)");

    public EvalResult {
        pair = List.copyOf(pair);
        sizes = Collections.unmodifiableMap(new LinkedHashMap<>(sizes));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        chance = Collections.unmodifiableMap(new LinkedHashMap<>(chance));
    }

    public static EvalResult from(Path file, JsonNode json) {
        if (!json.isObject() || !json.path("metrics").isObject()) {
            throw new IllegalArgumentException(file + " is not an evaluation results file (no \"metrics\" object)");
        }
        Map<String, Long> sizes = new LinkedHashMap<>();
        JsonFields.numbers(json.get("sizes")).forEach((k, v) -> sizes.put(k, v.longValue()));
        JsonFields.number(json.get("classes")).ifPresent(c -> sizes.putIfAbsent("classes", (long) c));
        return new EvalResult(file, JsonFields.text(json, "task"), JsonFields.text(json, "model"),
                JsonFields.text(json, "dataset"), JsonFields.text(json, "split"), JsonFields.texts(json.get("pair")),
                JsonFields.text(json, "config_hash"), sizes, JsonFields.text(json, "tie_rule"),
                JsonFields.numbers(json.get("metrics")), JsonFields.numbers(json.get("chance")));
    }

    /** The file's name without .json: the evaluation's name, shared with its examples file. */
    public String name() {
        String n = file.getFileName().toString();
        return n.endsWith(".json") ? n.substring(0, n.length() - 5) : n;
    }

    /** "text-image" from the pair, or the file's name for results that do not say their pair. */
    public String pairName() {
        return pair.isEmpty() ? name() : String.join("-", pair);
    }

    public boolean isRetrieval() {
        return RETRIEVAL.equals(task) || !retrievedModalities().isEmpty() && !CLASSIFICATION.equals(task);
    }

    public boolean isClassification() {
        return CLASSIFICATION.equals(task);
    }

    /** The X of every {@code X_retrieval_*} metric, in file order: each is one direction, retrieving modality X. */
    public List<String> retrievedModalities() {
        List<String> out = new ArrayList<>();
        for (String name : metrics.keySet()) {
            Matcher m = RETRIEVAL_METRIC.matcher(name);
            if (m.matches() && !out.contains(m.group(1))) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    /** The measures of one direction ({@code recall@1}, {@code mean_rank}, ...) in file order, with their values. */
    public Map<String, Double> directionMetrics(String retrieved) {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.forEach((name, v) -> {
            Matcher m = RETRIEVAL_METRIC.matcher(name);
            if (m.matches() && m.group(1).equals(retrieved)) {
                out.put(m.group(2), v);
            }
        });
        return out;
    }

    /** The K of every recall@K of any direction, ascending. */
    public List<Integer> recallKs() {
        return metrics.keySet().stream().map(RETRIEVAL_METRIC::matcher).filter(Matcher::matches)
                .map(m -> RECALL.matcher(m.group(2))).filter(Matcher::matches)
                .map(m -> Integer.parseInt(m.group(1))).distinct().sorted().toList();
    }

    /**
     * "text → image" for {@code image_retrieval} of a text-image pair: the query modality is the pair's other one.
     * Without a pair (older results) it says "image retrieval".
     */
    /** What a random ranking scores on this direction's metrics (Recall@K), by metric name without the prefix. */
    public Map<String, Double> directionChance(String retrieved) {
        Map<String, Double> out = new LinkedHashMap<>();
        String prefix = retrieved + "_retrieval_";
        chance.forEach((k, v) -> {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), v);
            }
        });
        return out;
    }

    public String directionLabel(String retrieved) {
        return Modalities.directionLabel(pair, retrieved);
    }
}
