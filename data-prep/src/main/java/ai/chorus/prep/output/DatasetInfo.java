package ai.chorus.prep.output;

import ai.chorus.prep.PrepareOptions;
import ai.chorus.prep.manifest.ManifestReader;
import ai.chorus.prep.text.BpeTokenizer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * {@code dataset.json}: schema version, preprocessing parameters, tokenizer and its hash, counts per
 * split, modality and reject reason, storage and throughput, and the runs that made the dataset.
 */
public final class DatasetInfo {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final ObjectNode root;

    private DatasetInfo(ObjectNode root) {
        this.root = root;
    }

    public static DatasetInfo parse(String json) {
        try {
            return new DatasetInfo((ObjectNode) JSON.readTree(json));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("dataset.json is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Describes the staged dataset.
     *
     * @param samplesAllStaged true when staging holds all samples (a full run); false when staged samples
     *                         are added to the committed ones (retry-rejects)
     */
    public static DatasetInfo describe(SparkSession spark, DatasetFolder out, boolean samplesAllStaged,
                                       PrepareOptions options, ManifestReader.Located located, BpeTokenizer tokenizer,
                                       long rowsIn, double seconds, String runKind) {
        List<String> samplePaths = new ArrayList<>();
        samplePaths.add(out.staged(DatasetFolder.SAMPLES).toString());
        if (!samplesAllStaged) {
            samplePaths.add(out.path(DatasetFolder.SAMPLES).toString());
        }
        Dataset<Row> samples = spark.read().schema(DatasetSchema.SAMPLES).parquet(samplePaths.toArray(new String[0]))
                .select("split", "image_path", "audio_path", "video_path", "captions").cache();
        Dataset<Row> rejects = spark.read().schema(DatasetSchema.REJECTS)
                .parquet(out.staged(DatasetFolder.REJECTS).toString());
        spark.sparkContext().setJobDescription("chorus prepare: statistics");

        ObjectNode root = JSON.createObjectNode();
        root.put("schema_version", DatasetSchema.VERSION);
        root.put("created_by", "chorus " + version());
        ObjectNode input = root.putObject("input");
        input.put("manifest", located.manifest().toString());
        input.put("format", located.format().configName());
        input.put("root", options.input().root() == null ? located.folder().toString() : options.input().root());

        long sampleCount = samples.count();
        long rejectCount = rejects.count();
        ObjectNode counts = root.putObject("counts");
        counts.put("rows_in", rowsIn);
        counts.put("samples", sampleCount);
        counts.put("rejects", rejectCount);
        putCounts(counts.putObject("by_split"), samples.groupBy("split").count());
        ObjectNode modality = counts.putObject("by_modality");
        modality.put("text", samples.filter(col("captions").isNotNull()).count());
        modality.put("image", samples.filter(col("image_path").isNotNull()).count());
        modality.put("audio", samples.filter(col("audio_path").isNotNull()).count());
        modality.put("video", samples.filter(col("video_path").isNotNull()).count());
        putCounts(counts.putObject("rejects_by_stage"), rejects.groupBy("stage").count());
        putCounts(counts.putObject("rejects_by_error_class"), rejects.groupBy("error_class").count());
        samples.unpersist();

        root.set("preprocessing", preprocessing(options));
        ObjectNode tok = root.putObject("tokenizer");
        tok.put("file", DatasetFolder.TOKENIZER_JSON);
        tok.put("type", "byte-level-bpe");
        tok.put("vocab_size", tokenizer.vocabSize());
        tok.put("sha256", tokenizer.sha256());

        ObjectNode storage = root.putObject("storage");
        storage.put("encoding", "decoded tensors: uint8 RGB HWC images and video frames, float32 little-endian log-mel");
        long bytes = out.sizeOf(out.staged(DatasetFolder.SAMPLES)) + (samplesAllStaged ? 0 : out.sizeOf(out.path(DatasetFolder.SAMPLES)));
        storage.put("samples_bytes", bytes);
        storage.put("bytes_per_sample", sampleCount == 0 ? 0 : bytes / sampleCount);

        ObjectNode run = root.putArray("runs").addObject();
        run.put("kind", runKind);
        run.put("rows", runKind.equals("prepare") ? rowsIn : rejectCount);
        run.put("seconds", round(seconds));
        run.put("rows_per_second", round(rowsIn / Math.max(seconds, 1e-9)));
        ObjectNode throughput = root.putObject("throughput");
        throughput.put("seconds", round(seconds));
        throughput.put("rows_per_second", round((runKind.equals("prepare") ? rowsIn : rejectCount) / Math.max(seconds, 1e-9)));
        return new DatasetInfo(root);
    }

    /** Keeps the record of the runs before this one (a retry appends to the prepare run). */
    public DatasetInfo withEarlierRuns(DatasetInfo previous) {
        ArrayNode runs = JSON.createArrayNode();
        previous.root.withArray("runs").forEach(runs::add);
        root.withArray("runs").forEach(runs::add);
        root.set("runs", runs);
        return this;
    }

    public int runCount() {
        return root.withArray("runs").size();
    }

    public long rowsIn() {
        return root.path("counts").path("rows_in").asLong();
    }

    public long samples() {
        return root.path("counts").path("samples").asLong();
    }

    public long rejects() {
        return root.path("counts").path("rejects").asLong();
    }

    public double seconds() {
        return root.path("throughput").path("seconds").asDouble();
    }

    public JsonNode json() {
        return root;
    }

    /** A retry must decode exactly as the original run did, or the dataset would mix two preprocessings. */
    public void requireSamePreprocessing(PrepareOptions options) {
        JsonNode now = preprocessing(options);
        JsonNode then = root.path("preprocessing");
        List<String> differences = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = now.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> e = fields.next();
            // Compared as text: a long read back from JSON is an int node, equal in value but not in type.
            if (!e.getValue().toString().equals(then.path(e.getKey()).toString())) {
                differences.add(e.getKey() + ": dataset has " + then.path(e.getKey()) + ", configuration has " + e.getValue());
            }
        }
        if (!differences.isEmpty()) {
            throw new IllegalArgumentException("--retry-rejects needs the preprocessing the dataset was made with; "
                    + "these differ (chorus.prep.*):\n  " + String.join("\n  ", differences));
        }
    }

    private static ObjectNode preprocessing(PrepareOptions options) {
        ObjectNode p = JSON.createObjectNode();
        p.set("image", JSON.valueToTree(options.image()));
        p.set("audio", JSON.valueToTree(options.audio()));
        p.set("video", JSON.valueToTree(options.video()));
        p.set("text", JSON.valueToTree(options.text()));
        p.set("split", JSON.valueToTree(options.split()));
        return p;
    }

    private static void putCounts(ObjectNode node, Dataset<Row> grouped) {
        for (Row r : grouped.orderBy(col(grouped.columns()[0])).collectAsList()) {
            node.put(r.isNullAt(0) ? "null" : r.get(0).toString(), r.getLong(1));
        }
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String version() {
        String v = DatasetInfo.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    public String toJson() {
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The closing table of a run: counts by split, modality and reject reason. */
    public void printSummary() {
        StringBuilder sb = new StringBuilder("\n");
        JsonNode counts = root.path("counts");
        row(sb, "rows in", counts.path("rows_in").asLong());
        row(sb, "samples", counts.path("samples").asLong());
        row(sb, "rejects", counts.path("rejects").asLong());
        counts.path("by_split").fields().forEachRemaining(e -> row(sb, "  split " + e.getKey(), e.getValue().asLong()));
        counts.path("by_modality").fields().forEachRemaining(e -> row(sb, "  with " + e.getKey(), e.getValue().asLong()));
        counts.path("rejects_by_error_class").fields().forEachRemaining(e -> row(sb, "  rejected " + e.getKey(), e.getValue().asLong()));
        sb.append(String.format(Locale.ROOT, "%-40s %12.1f s (%.1f rows/s)%n", "time",
                root.path("throughput").path("seconds").asDouble(), root.path("throughput").path("rows_per_second").asDouble()));
        sb.append(String.format(Locale.ROOT, "%-40s %12s%n", "tokenizer sha256",
                root.path("tokenizer").path("sha256").asText().substring(0, Math.min(12, root.path("tokenizer").path("sha256").asText().length()))));
        // Printed, not logged: the table is the command's result, whatever the cluster's log settings.
        System.out.print(sb);
    }

    private static void row(StringBuilder sb, String name, long value) {
        sb.append(String.format(Locale.ROOT, "%-40s %,12d%n", name, value));
    }
}
