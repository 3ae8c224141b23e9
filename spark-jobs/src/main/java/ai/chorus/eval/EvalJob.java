package ai.chorus.eval;

import ai.chorus.embed.EmbedJob;
import ai.chorus.models.ModelIO;
import ai.chorus.prep.output.DatasetFolder;
import ai.chorus.train.TrainedRun;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * {@code chorus eval}: a trained run on a split of a prepared dataset. Embeds the split ({@link EmbedJob}) unless the
 * evaluation folder already holds its embeddings, then for every modality pair writes retrieval results both ways
 * (CLIP_benchmark's conventions, {@link RetrievalEval#evaluatePair}) and the report's examples, and zero-shot
 * classification when the samples are labelled. Every piece of work carries a hash of what it depends on (model
 * bytes, dataset, split, settings); a rerun skips the pieces whose hash matches unless forced.
 */
public final class EvalJob {
    private static final Logger LOG = LoggerFactory.getLogger(EvalJob.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SparkSession spark;
    private final EvalOptions options;

    public EvalJob(SparkSession spark, EvalOptions options) {
        this.spark = spark;
        this.options = options;
    }

    /** What a run wrote and what it found done already. */
    public record Summary(String folder, List<String> written, List<String> skipped, Map<String, EvalResults> results) {
    }

    /** {@code chorus embed}: only the embeddings. Returns whether they were written (false: already there). */
    public boolean embed(boolean force) {
        TrainedRun run = TrainedRun.open(spark, options.run());
        String dataset = dataset(run);
        return embed(run, dataset, new EvalFolder(options.output(), options.split(), spark.sparkContext().hadoopConfiguration()), force);
    }

    private String dataset(TrainedRun run) {
        String dataset = options.dataset() != null ? options.dataset() : run.trainingDataset();
        requireSameTokenizer(run.trainingDataset(), dataset);
        return dataset;
    }

    private String embeddingsHash(TrainedRun run, String dataset) {
        return TrainedRun.sha256(String.join("\n", run.modelHash(), dataset, options.split(),
                String.valueOf(options.batchSize())).getBytes(StandardCharsets.UTF_8));
    }

    private boolean embed(TrainedRun run, String dataset, EvalFolder folder, boolean force) {
        String hash = embeddingsHash(run, dataset);
        if (!force && hash.equals(folder.hashOf(folder.embeddingsInfo()))) {
            LOG.info("{} holds the embeddings of this model and split: reused (--force redoes them)", folder.embeddings());
            return false;
        }
        writeEmbeddings(run, dataset, folder, hash);
        return true;
    }

    public Summary run(boolean force) {
        TrainedRun run = TrainedRun.open(spark, options.run());
        String dataset = dataset(run);
        EvalFolder folder = new EvalFolder(options.output(), options.split(), spark.sparkContext().hadoopConfiguration());
        List<String> written = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        Map<String, EvalResults> results = new LinkedHashMap<>();

        String embeddingsHash = embeddingsHash(run, dataset);
        (embed(run, dataset, folder, force) ? written : skipped).add("embeddings");
        Dataset<Row> embeddings = spark.read().parquet(folder.embeddings().toString()).cache();
        RankEngine engine = new SparkRetrieval(JavaSparkContext.fromSparkContext(spark.sparkContext()),
                spark.sparkContext().defaultParallelism(), options.blockBytes());
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("model", run.modelName());
        context.put("model_hash", run.modelHash());
        context.put("run", run.folder());
        context.put("dataset", dataset);

        for (String pair : pairs(run.model().io())) {
            String[] m = pair.split("-");
            // The modality with several rows per sample (captions) is "many"; between two one-per-sample
            // modalities the first of the pair queries the second (audio-image: audio queries give image_retrieval).
            String many = m[1].equals("text") ? m[1] : m[0];
            String one = many.equals(m[0]) ? m[1] : m[0];
            String hash = TrainedRun.sha256(String.join("\n", embeddingsHash, pair, options.ks().toString(),
                    String.valueOf(options.examples())).getBytes(StandardCharsets.UTF_8));
            Path target = folder.results(pair);
            if (!force && hash.equals(folder.hashOf(target))) {
                skipped.add(pair);
                results.put(pair, readResults(folder, target));
                LOG.info("{} exists for this model, split and settings: skipped (--force redoes it)", target);
                continue;
            }
            long t0 = System.nanoTime();
            PairEmbeddings data = PairEmbeddings.load(embeddings, one, many);
            RetrievalEval.PairOutcome outcome = RetrievalEval.evaluatePair(one, data.ones(), many, data.many(),
                    data.oneOfMany(), options.ks(), options.split(), engine);
            RetrievalExamples examples = new RetrievalExamples(data, outcome, options.split(), options.examples());
            Map<String, String> media = ExampleMedia.write(spark, dataset, examples.mediaKeys(), folder);
            examples.setMedia((modality, key) -> media.get(modality + "/" + key));
            folder.writeString(folder.examples(pair), examples.toJsonString());
            Map<String, Object> about = new LinkedHashMap<>(context);
            about.put("pair", List.of(many, one));
            about.put("ks", options.ks());
            about.put("config_hash", hash);
            EvalResults r = outcome.results().withContext(about);
            folder.writeString(target, r.toJsonString()); // last: the pair is done when its results file exists
            results.put(pair, r);
            written.add(pair);
            LOG.info(String.format("%s: %d %s x %d %s ranked both ways in %.1f s; %s", pair, data.many().rows(), many,
                    data.ones().rows(), one, (System.nanoTime() - t0) / 1e9, r.metrics()));
        }
        zeroShot(run, dataset, embeddings, embeddingsHash, folder, context, engine, force, written, skipped, results);
        embeddings.unpersist();
        return new Summary(folder.root().toString(), written, skipped, results);
    }

    private void writeEmbeddings(TrainedRun run, String dataset, EvalFolder folder, String hash) {
        long t0 = System.nanoTime();
        folder.delete(folder.embeddingsInfo()); // the old embeddings are no longer complete from here on
        EmbedJob.embed(spark, run, dataset, options.split(), options.batchSize())
                .write().mode(SaveMode.Overwrite).parquet(folder.embeddings().toString());
        Dataset<Row> written = spark.read().parquet(folder.embeddings().toString());
        ObjectNode info = JSON.createObjectNode();
        info.put("config_hash", hash);
        info.put("model_hash", run.modelHash());
        info.put("dataset", dataset);
        info.put("split", options.split());
        ObjectNode counts = info.putObject("rows_by_modality");
        for (Row r : written.groupBy("modality").count().orderBy("modality").collectAsList()) {
            counts.put(r.getString(0), r.getLong(1));
        }
        folder.writeString(folder.embeddingsInfo(), info.toPrettyString());
        LOG.info(String.format("embedded split '%s' of %s in %.1f s: %s", options.split(), dataset,
                (System.nanoTime() - t0) / 1e9, counts));
    }

    /** The configured pairs, or every pair of the modalities the model embeds (text first: text-image, ...). */
    List<String> pairs(ModelIO io) {
        List<String> embedded = io.inputs().stream().filter(io.embeddings()::containsKey).toList();
        if (!options.pairs().isEmpty()) {
            for (String pair : options.pairs()) {
                for (String m : pair.split("-")) {
                    if (!embedded.contains(m)) {
                        throw new IllegalArgumentException("chorus.eval.pairs: '" + pair + "' needs " + m
                                + " embeddings, but the model embeds only " + embedded);
                    }
                }
            }
            return options.pairs();
        }
        List<String> pairs = new ArrayList<>();
        if (embedded.contains("text")) {
            embedded.stream().filter(m -> !m.equals("text")).forEach(m -> pairs.add("text-" + m));
        }
        List<String> others = embedded.stream().filter(m -> !m.equals("text")).toList();
        for (int i = 0; i < others.size(); i++) {
            for (int j = i + 1; j < others.size(); j++) {
                pairs.add(others.get(j) + "-" + others.get(i));
            }
        }
        return pairs;
    }

    private void zeroShot(TrainedRun run, String dataset, Dataset<Row> embeddings, String embeddingsHash,
                          EvalFolder folder, Map<String, Object> context, RankEngine engine, boolean force,
                          List<String> written, List<String> skipped, Map<String, EvalResults> results) {
        String modality = options.zeroShotModality();
        ModelIO io = run.model().io();
        if (modality.equals("none") || !io.embeddings().containsKey("text") || !io.embeddings().containsKey(modality)) {
            return;
        }
        if (embeddings.filter(col("modality").equalTo(modality).and(col("label").isNotNull())).isEmpty()) {
            LOG.info("zero-shot {}: no labelled {} sample in split '{}'; skipped", modality, modality, options.split());
            return;
        }
        String name = "zeroshot-" + modality;
        String hash = TrainedRun.sha256(String.join("\n", embeddingsHash, name, options.templates().toString())
                .getBytes(StandardCharsets.UTF_8));
        Path target = folder.results(name);
        if (!force && hash.equals(folder.hashOf(target))) {
            skipped.add(name);
            results.put(name, readResults(folder, target));
            return;
        }
        List<String> classes = ZeroShotEval.classes(spark, dataset);
        if (classes.size() < 2) {
            LOG.info("zero-shot {}: the dataset has {} class(es); skipped", modality, classes.size());
            return;
        }
        EvalResults r = ZeroShotEval.evaluate(spark, run, classes, embeddings, modality, options.templates(),
                options.batchSize(), options.split(), engine);
        Map<String, Object> about = new LinkedHashMap<>(context);
        about.put("modality", modality);
        about.put("templates", options.templates());
        about.put("class_names", classes);
        about.put("config_hash", hash);
        r = r.withContext(about);
        folder.writeString(target, r.toJsonString());
        results.put(name, r);
        written.add(name);
        LOG.info("{}: {}", name, r.metrics());
    }

    private static EvalResults readResults(EvalFolder folder, Path file) {
        try {
            return EvalResults.parse(folder.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }

    /** Captions of another dataset are only comparable when both were tokenized by the same tokenizer. */
    private void requireSameTokenizer(String trainingDataset, String dataset) {
        if (trainingDataset.equals(dataset)) {
            return;
        }
        var hadoop = spark.sparkContext().hadoopConfiguration();
        DatasetFolder a = new DatasetFolder(trainingDataset, hadoop);
        DatasetFolder b = new DatasetFolder(dataset, hadoop);
        if (!a.readString(a.path(DatasetFolder.TOKENIZER_JSON)).equals(b.readString(b.path(DatasetFolder.TOKENIZER_JSON)))) {
            throw new IllegalArgumentException("chorus.eval.dataset: " + dataset + " was tokenized with another tokenizer "
                    + "than the model's training dataset " + trainingDataset + "; its token ids mean other words to the "
                    + "model (prepare it with the training dataset's tokenizer)");
        }
    }
}
