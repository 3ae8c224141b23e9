package ai.chorus.train;

import ai.chorus.models.InputShapes;
import ai.chorus.prep.audio.AudioOptions;
import ai.chorus.prep.output.DatasetFolder;
import ai.chorus.prep.output.DatasetInfo;
import ai.chorus.prep.output.DatasetSchema;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * The {@link InputShapes} a model is built for, read from a prepared dataset's {@code dataset.json} (on any Hadoop
 * file system): image side, tokenizer vocabulary, caption length (start and end tokens included), log-mel bands and
 * frames, video frames and side. A modality no sample of the dataset has gets 0 ("not used"), so a model that needs
 * it is refused when it is built, not at the first batch. Class lists come from the samples ({@link #trainClasses}).
 */
public final class DatasetShapes {
    private final String dataset;
    private final JsonNode info;

    private DatasetShapes(String dataset, JsonNode info) {
        this.dataset = dataset;
        this.info = info;
        int version = required("schema_version").asInt();
        if (version != DatasetSchema.VERSION) {
            throw new IllegalArgumentException(dataset + " has dataset schema version " + version + ", this Chorus reads "
                    + DatasetSchema.VERSION + ": prepare the dataset again");
        }
    }

    /** Reads {@code <dataset>/dataset.json}; a dataset without one is incomplete (or not a dataset). */
    public static DatasetShapes read(String dataset, Configuration hadoopConf) {
        DatasetFolder folder = new DatasetFolder(dataset, hadoopConf);
        if (!folder.isComplete()) {
            throw new IllegalArgumentException("no " + DatasetFolder.DATASET_JSON + " in " + folder.root()
                    + ": not a prepared dataset, or its preparation did not finish (run chorus prepare)");
        }
        return parse(folder.root().toString(), folder.readString(folder.path(DatasetFolder.DATASET_JSON)));
    }

    /** From the text of a {@code dataset.json}; {@code dataset} only names it in errors. */
    public static DatasetShapes parse(String dataset, String json) {
        return new DatasetShapes(dataset, DatasetInfo.parse(json).json());
    }

    /** The shapes, without classes ({@code numClasses} 0): what contrastive models need. */
    public InputShapes shapes() {
        return shapes(0);
    }

    /** The shapes of a classifier over {@code numClasses} classes (e.g. {@code trainClasses(...).size()}). */
    public InputShapes shapes(int numClasses) {
        boolean image = has("image");
        boolean text = has("text");
        boolean audio = has("audio");
        boolean video = has("video");
        return new InputShapes(
                image ? positive("preprocessing.image.size") : 0,
                image ? 3 : 0,
                text ? positive("tokenizer.vocab_size") : 0,
                text ? positive("preprocessing.text.maxLength") : 0,
                audio ? positive("preprocessing.audio.nMels") : 0,
                audio ? audioFrames() : 0,
                video ? positive("preprocessing.video.frames") : 0,
                video ? positive("preprocessing.video.frame.size") : 0,
                numClasses);
    }

    /** Whether any sample has the modality (counts.by_modality). */
    public boolean has(String modality) {
        return required("counts.by_modality." + modality).asLong() > 0;
    }

    /** Frames per clip, as the prepare job computed them (data-prep's own formula). */
    private int audioFrames() {
        JsonNode a = required("preprocessing.audio");
        try {
            return new AudioOptions(positive("preprocessing.audio.sampleRate"), positive("preprocessing.audio.nMels"),
                    positive("preprocessing.audio.nFft"), positive("preprocessing.audio.hopLength"),
                    a.path("fMin").asDouble(), a.path("fMax").asDouble(), a.path("clipSeconds").asDouble()).clipFrames();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(dataset + ": dataset.json preprocessing.audio is not valid: " + e.getMessage(), e);
        }
    }

    /**
     * The sorted distinct {@code label} values of the training split of the samples at {@code <dataset>/samples}:
     * a classifier's classes, index = one-hot position. Fails if a training sample has no label.
     */
    public static List<String> trainClasses(SparkSession spark, String dataset) {
        DatasetFolder folder = new DatasetFolder(dataset, spark.sparkContext().hadoopConfiguration());
        List<Row> labels = spark.read().schema(DatasetSchema.SAMPLES)
                .parquet(folder.path(DatasetFolder.SAMPLES).toString())
                .filter(col("split").equalTo("train")).select("label").distinct().orderBy("label").collectAsList();
        List<String> classes = new ArrayList<>(labels.size());
        for (Row r : labels) {
            if (r.isNullAt(0)) {
                throw new IllegalArgumentException(dataset + ": some training samples have no label; a classifier "
                        + "needs one for each (the manifest's label column)");
            }
            classes.add(r.getString(0));
        }
        if (classes.size() < 2) {
            throw new IllegalArgumentException(dataset + ": the training split has " + classes.size()
                    + " distinct label(s); a classifier needs at least 2");
        }
        return classes;
    }

    private int positive(String path) {
        JsonNode v = required(path);
        if (!v.canConvertToInt() || v.asInt() <= 0) {
            throw new IllegalArgumentException(dataset + ": dataset.json " + path + " should be a positive whole number, is "
                    + v);
        }
        return v.asInt();
    }

    private JsonNode required(String path) {
        JsonNode node = info;
        for (String part : path.split("\\.")) {
            node = node.path(part);
        }
        if (node.isMissingNode() || node.isNull()) {
            throw new IllegalArgumentException(dataset + ": dataset.json has no " + path);
        }
        return node;
    }
}
