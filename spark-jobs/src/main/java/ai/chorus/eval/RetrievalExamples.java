package ai.chorus.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.stream.IntStream;

/**
 * What the report shows of one pair: every query's rank in both directions (1-based, for the histograms) and a few
 * queries with their top 5 candidates, the relevant ones marked. Example queries are spread evenly over the queries
 * in key order, so reruns show the same ones. Media items point at files that {@link ExampleMedia} writes.
 */
public final class RetrievalExamples {
    public static final int TOP = 5;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode root = JSON.createObjectNode();
    /** Non-text items shown, by modality then key, with the JSON nodes whose "media" field names their file. */
    private final Map<String, Map<String, List<ObjectNode>>> media = new TreeMap<>();

    public RetrievalExamples(PairEmbeddings pair, RetrievalEval.PairOutcome outcome, String split, int examples) {
        root.putArray("pair").add(pair.manyModality()).add(pair.oneModality());
        root.put("split", split);
        ArrayNode directions = root.putArray("directions");
        // many → one (e.g. text queries over images: image_retrieval), then one → many (text_retrieval).
        direction(directions.addObject(), pair.oneModality() + "_retrieval", pair.manyModality(), pair.oneModality(),
                pair.many(), pair.ones(), outcome.manyToOne(), pair.manyKeys(), pair.manyTexts(), pair.oneKeys(),
                nulls(pair.oneKeys().size()), examples);
        direction(directions.addObject(), pair.manyModality() + "_retrieval", pair.oneModality(), pair.manyModality(),
                pair.ones(), pair.many(), outcome.oneToMany(), pair.oneKeys(), nulls(pair.oneKeys().size()),
                pair.manyKeys(), pair.manyTexts(), examples);
    }

    private static List<String> nulls(int n) {
        return new ArrayList<>(Collections.nCopies(n, null));
    }

    private void direction(ObjectNode d, String name, String queryModality, String candidateModality,
                           INDArray queries, INDArray candidates, QueryRanks ranks, List<String> queryKeys,
                           List<String> queryTexts, List<String> candidateKeys, List<String> candidateTexts,
                           int examples) {
        d.put("name", name);
        d.put("query_modality", queryModality);
        d.put("candidate_modality", candidateModality);
        d.put("candidates", candidateKeys.size());
        ArrayNode all = d.putArray("ranks");
        for (int q = 0; q < ranks.size(); q++) {
            all.add(ranks.rank(q) + 1);
        }
        ArrayNode list = d.putArray("examples");
        int n = queryKeys.size();
        for (int e = 0; e < Math.min(examples, n); e++) {
            int q = (int) ((long) e * n / Math.min(examples, n));
            ObjectNode ex = list.addObject();
            item(ex.putObject("query"), queryModality, queryKeys.get(q), queryTexts.get(q));
            ex.put("rank", ranks.rank(q) + 1);
            float[] scores = candidates.mmul(queries.getRow(q).reshape(queries.columns(), 1)).toFloatVector();
            int[] top = IntStream.range(0, scores.length).boxed()
                    .sorted(Comparator.<Integer>comparingDouble(i -> -scores[i]).thenComparingInt(i -> i))
                    .limit(TOP).mapToInt(Integer::intValue).toArray();
            ArrayNode t = ex.putArray("top");
            for (int c : top) {
                ObjectNode item = t.addObject();
                item(item, candidateModality, candidateKeys.get(c), candidateTexts.get(c));
                item.put("score", scores[c]);
                item.put("relevant", candidateKeys.get(c).equals(queryKeys.get(q)));
            }
        }
    }

    private void item(ObjectNode node, String modality, String key, String text) {
        node.put("key", key);
        if ("text".equals(modality)) {
            node.put("text", text);
            node.putNull("media");
        } else {
            node.putNull("text");
            node.putNull("media");
            media.computeIfAbsent(modality, m -> new TreeMap<>()).computeIfAbsent(key, k -> new ArrayList<>()).add(node);
        }
    }

    /** Modality → keys of the non-text items shown (their media files are to be written). */
    public Map<String, Set<String>> mediaKeys() {
        Map<String, Set<String>> keys = new TreeMap<>();
        media.forEach((m, byKey) -> keys.put(m, new LinkedHashSet<>(byKey.keySet())));
        return keys;
    }

    /** Points every item at its media file ({@code path(modality, key)}: relative to the evaluation folder, or null). */
    public void setMedia(BiFunction<String, String, String> path) {
        media.forEach((m, byKey) -> byKey.forEach((key, nodes) -> {
            String p = path.apply(m, key);
            nodes.forEach(n -> n.put("media", p));
        }));
    }

    public String toJsonString() {
        try {
            return JSON.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
