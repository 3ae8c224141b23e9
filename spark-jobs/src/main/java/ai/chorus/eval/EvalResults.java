package ai.chorus.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One evaluation's results as CLIP_benchmark writes them: {@code task} and a flat {@code metrics} object with its
 * key names ({@code image_retrieval_recall@5}, {@code text_retrieval_recall@5}, {@code acc1}, ...), plus what a reader
 * needs to compare runs: the split, the sizes (queries and candidate-set size of each direction) and the tie rule.
 */
public record EvalResults(String task, String split, Map<String, Long> sizes, Map<String, Double> metrics,
                          String tieRule) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public EvalResults {
        sizes = Collections.unmodifiableMap(new LinkedHashMap<>(sizes));
        metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
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
        root.put("split", split);
        ObjectNode s = root.putObject("sizes");
        sizes.forEach(s::put);
        root.put("tie_rule", tieRule);
        ObjectNode m = root.putObject("metrics");
        metrics.forEach(m::put);
        return root;
    }

    public void write(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(path.toFile(), toJson());
    }
}
