package ai.chorus.report;

import com.fasterxml.jackson.databind.JsonNode;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code examples/<a>-<b>.json}: per retrieval direction, the 1-based rank of every query's first relevant candidate
 * and a few queries with their top candidates. Media paths are relative to the evaluation folder.
 */
public record PairExamples(Path file, List<String> pair, String split, List<Direction> directions) {

    public PairExamples {
        pair = List.copyOf(pair);
        directions = List.copyOf(directions);
    }

    /** A query or candidate: text items have {@code text}, image/audio/video items a {@code media} path. */
    public record Item(String key, String text, String media) {
        static Item from(JsonNode json) {
            return new Item(JsonFields.text(json, "key"), nullable(json.get("text")), nullable(json.get("media")));
        }

        private static String nullable(JsonNode v) {
            return v == null || v.isNull() ? null : v.asText();
        }
    }

    public record Hit(Item item, double score, boolean relevant) {
    }

    public record Example(Item query, int rank, List<Hit> top) {
        public Example {
            top = List.copyOf(top);
        }
    }

    public record Direction(String name, String queryModality, String candidateModality, int[] ranks,
                            long candidates, List<Example> examples) {
        public Direction {
            examples = List.copyOf(examples);
        }

        public String label() {
            return Modalities.label(queryModality, candidateModality);
        }
    }

    public static PairExamples from(Path file, JsonNode json) {
        if (!json.path("directions").isArray()) {
            throw new IllegalArgumentException(file + " is not a retrieval examples file (no \"directions\" array)");
        }
        List<Direction> directions = new ArrayList<>();
        for (JsonNode d : json.get("directions")) {
            int[] ranks = new int[d.path("ranks").size()];
            for (int i = 0; i < ranks.length; i++) {
                ranks[i] = d.path("ranks").get(i).asInt();
            }
            List<Example> examples = new ArrayList<>();
            for (JsonNode e : d.path("examples")) {
                List<Hit> top = new ArrayList<>();
                for (JsonNode h : e.path("top")) {
                    top.add(new Hit(Item.from(h), h.path("score").asDouble(Double.NaN), h.path("relevant").asBoolean()));
                }
                examples.add(new Example(Item.from(e.path("query")), e.path("rank").asInt(), top));
            }
            directions.add(new Direction(JsonFields.text(d, "name"), JsonFields.text(d, "query_modality"),
                    JsonFields.text(d, "candidate_modality"), ranks, d.path("candidates").asLong(), examples));
        }
        return new PairExamples(file, JsonFields.texts(json.get("pair")), JsonFields.text(json, "split"), directions);
    }
}
