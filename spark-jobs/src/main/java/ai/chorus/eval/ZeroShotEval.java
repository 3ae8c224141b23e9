package ai.chorus.eval;

import ai.chorus.embed.EmbeddingRows;
import ai.chorus.prep.output.DatasetFolder;
import ai.chorus.prep.text.BpeTokenizer;
import ai.chorus.prep.text.TextNormalizer;
import ai.chorus.prep.text.TextOptions;
import ai.chorus.train.Embeddings;
import ai.chorus.train.SampleBatches;
import ai.chorus.train.TrainedRun;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * Zero-shot classification as CLIP does it: every class name (the dataset's distinct {@code label} values, sorted)
 * through every prompt template, tokenized exactly as the training captions were (the training dataset's
 * normalisation and tokenizer), embedded by the text tower; a class's embedding is the normalised mean of its prompts'.
 * Each labelled sample of the split is classified by the nearest class embedding.
 */
final class ZeroShotEval {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ZeroShotEval() {
    }

    /** The class list: distinct labels over all splits (a class absent from the split still competes). */
    static List<String> classes(SparkSession spark, String dataset) {
        List<String> classes = new ArrayList<>();
        for (Row r : spark.read().parquet(new Path(dataset, "samples").toString())
                .select("label").where(col("label").isNotNull()).distinct().orderBy("label").collectAsList()) {
            classes.add(r.getString(0));
        }
        return classes;
    }

    static EvalResults evaluate(SparkSession spark, TrainedRun run, List<String> classes, Dataset<Row> embeddings,
                                String modality, List<String> templates, int batchSize, String split, RankEngine engine) {
        List<String> prompts = ZeroShotClassifier.prompts(classes, templates);
        INDArray classEmbeddings = ZeroShotClassifier.classEmbeddings(embedTexts(spark, run, prompts, batchSize),
                classes.size());
        Map<String, Integer> classIndex = new HashMap<>();
        for (int i = 0; i < classes.size(); i++) {
            classIndex.put(classes.get(i), i);
        }
        List<Row> rows = embeddings.filter(col(EmbeddingRows.MODALITY).equalTo(modality)
                        .and(col(EmbeddingRows.LABEL).isNotNull()))
                .select(EmbeddingRows.LABEL, EmbeddingRows.EMBEDDING).orderBy(EmbeddingRows.KEY).collectAsList();
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no labelled " + modality + " sample in split '" + split + "' to classify");
        }
        int[] classOf = new int[rows.size()];
        float[][] vectors = new float[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            classOf[i] = classIndex.get(rows.get(i).getString(0));
            vectors[i] = EmbeddingRows.vector(rows.get(i), 1);
        }
        return ZeroShotMetrics.evaluate(UnitRows.normalized(Nd4j.create(vectors)), classEmbeddings, classOf,
                ZeroShotMetrics.DEFAULT_KS, split, engine);
    }

    /** Prompts → text embeddings [P, D], on the driver (a few hundred prompts at most). */
    private static INDArray embedTexts(SparkSession spark, TrainedRun run, List<String> texts, int batchSize) {
        DatasetFolder training = new DatasetFolder(run.trainingDataset(), spark.sparkContext().hadoopConfiguration());
        BpeTokenizer tokenizer = BpeTokenizer.fromJson(training.readString(training.path(DatasetFolder.TOKENIZER_JSON)));
        TextNormalizer normalizer = new TextNormalizer(textOptions(training));
        int maxLength = run.model().shapes().textLength();
        SampleBatches batcher = new SampleBatches(run.model().io(), run.model().shapes(), 0, run.model().classes(), 0);
        ComputationGraph graph = TrainedRun.restore(run.modelZip());
        List<INDArray> parts = new ArrayList<>();
        for (int from = 0; from < texts.size(); from += batchSize) {
            List<String> batch = texts.subList(from, Math.min(texts.size(), from + batchSize));
            List<int[]> ids = new ArrayList<>();
            int[] lengths = new int[batch.size()];
            for (int i = 0; i < batch.size(); i++) {
                BpeTokenizer.Encoded encoded = tokenizer.encode(normalizer.normalize(batch.get(i)), maxLength);
                ids.add(encoded.ids());
                lengths[i] = encoded.length();
            }
            parts.add(Embeddings.of(graph, run.model().io(), batcher.textOnlyBatch(ids, lengths)).get("text"));
        }
        return Nd4j.vstack(parts.toArray(INDArray[]::new));
    }

    private static TextOptions textOptions(DatasetFolder dataset) {
        try {
            JsonNode text = JSON.readTree(dataset.readString(dataset.path(DatasetFolder.DATASET_JSON)))
                    .path("preprocessing").path("text");
            return new TextOptions(TextOptions.Normalization.valueOf(text.path("normalization").asText("NFC")),
                    text.path("lowercase").asBoolean(false), text.path("maxLength").asInt());
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + dataset.path(DatasetFolder.DATASET_JSON), e);
        }
    }
}
