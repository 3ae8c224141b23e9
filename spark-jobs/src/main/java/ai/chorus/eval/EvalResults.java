package ai.chorus.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One evaluation's results as CLIP_benchmark writes them: {@code task} and a flat {@code metrics} object with its
 * key names ({@code image_retrieval_recall@5}, {@code text_retrieval_recall@5}, {@code acc1}, ...), plus what a reader
 * needs to compare runs: the split, the sizes (queries and candidate-set size of each direction) and the tie rule.
 */
public record EvalResults(String task, String split, Map<String, Long> sizes, Map<String, Double> metrics,
                          String tieRule, Map<String, Object> context) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EvalResults {
        sizes = Collections.unmodifiableMap(new LinkedHashMap<>(sizes));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        context = Collections.unmodifiableMap(new LinkedHashMap<>(context));
    }

    public EvalResults(String task, String split, Map<String, Long> sizes, Map<String, Double> metrics, String tieRule) {
        this(task, split, sizes, metrics, tieRule, Map.of());
    }

    /**
     * The same results with what a reader needs to tell runs apart (model, dataset, pair, config hash, Ks...), written
     * as top-level fields next to {@code task}.
     */
    public EvalResults withContext(Map<String, Object> more) {
        Map<String, Object> all = new LinkedHashMap<>(context);
        all.putAll(more);
        return new EvalResults(task, split, sizes, metrics, tieRule, all);
    }

    public double metric(String name) {
        Double v = metrics.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no metric " + name + " in " + metrics.keySet());
        }
        return v;
    }

    public ObjectNode toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("task", task);
        context.forEach((k, v) -> root.set(k, JSON.valueToTree(v)));
        root.put("split", split);
        ObjectNode s = root.putObject("sizes");
        sizes.forEach(s::put);
        root.put("tie_rule", tieRule);
        ObjectNode m = root.putObject("metrics");
        metrics.forEach(m::put);
        return root;
    }

    /** Reads a results file back ({@link #toJsonString}'s inverse). */
    public static EvalResults parse(String json) throws IOException {
        ObjectNode root = (ObjectNode) JSON.readTree(json);
        Map<String, Long> sizes = new LinkedHashMap<>();
        root.path("sizes").fields().forEachRemaining(e -> sizes.put(e.getKey(), e.getValue().asLong()));
        Map<String, Double> metrics = new LinkedHashMap<>();
        root.path("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
        Map<String, Object> context = new LinkedHashMap<>();
        root.fields().forEachRemaining(e -> {
            if (!java.util.Set.of("task", "split", "sizes", "tie_rule", "metrics").contains(e.getKey())) {
                context.put(e.getKey(), JSON.convertValue(e.getValue(), Object.class));
            }
        });
        return new EvalResults(root.path("task").asText(), root.path("split").asText(), sizes, metrics,
                root.path("tie_rule").asText(), context);
    }

    /** The JSON as written to a results file (indented). */
    public String toJsonString() {
        try {
            return JSON.writeValueAsString(toJson());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
