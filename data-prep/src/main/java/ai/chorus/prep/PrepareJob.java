package ai.chorus.prep;

import ai.chorus.prep.io.MediaFiles;
import ai.chorus.prep.io.MediaPathResolver;
import ai.chorus.prep.io.SerializableHadoopConf;
import ai.chorus.prep.manifest.ManifestReader;
import ai.chorus.prep.output.DatasetFolder;
import ai.chorus.prep.output.DatasetInfo;
import ai.chorus.prep.output.DatasetSchema;
import ai.chorus.prep.text.BpeTokenizer;
import ai.chorus.prep.text.TextNormalizer;
import ai.chorus.prep.text.TokenizerTrainingJob;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;

/**
 * The prepare job: corpus in, dataset out (DESIGN.md "Data contracts"). Reads the manifest, refuses
 * duplicate keys, learns the tokenizer from the training split, decodes every row on the executors,
 * and writes samples, rejects, the tokenizer and {@code dataset.json}. Rows in = samples + rejects is
 * checked on the files written before the dataset is committed.
 */
public final class PrepareJob {
    private static final Logger LOG = LoggerFactory.getLogger(PrepareJob.class);

    private final SparkSession spark;
    private final PrepareOptions options;
    private final long progressIntervalMillis;

    public PrepareJob(SparkSession spark, PrepareOptions options, long progressIntervalMillis) {
        this.spark = spark;
        this.options = options;
        this.progressIntervalMillis = progressIntervalMillis;
    }

    /** What a run did, as also recorded in {@code dataset.json}. */
    public record Result(String dataset, long rowsIn, long samples, long rejects, double seconds) {
        public boolean reconciles() {
            return rowsIn == samples + rejects;
        }
    }

    /** Prepares the whole corpus, replacing any earlier dataset in the output folder. */
    public Result run() {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        DatasetFolder out = new DatasetFolder(options.outputPath(), hadoop);
        out.resetStaging();
        long start = System.nanoTime();

        ManifestReader reader = new ManifestReader(spark, options.input());
        ManifestReader.Located located = reader.locate();
        Dataset<Row> input = reader.read(located).persist(StorageLevel.MEMORY_AND_DISK());
        describe("count manifest rows");
        long rowsIn = input.count();
        LOG.info("prepare: {} rows in {} ({})", rowsIn, located.manifest(), located.format().configName());

        MediaPathResolver resolver = resolver(located, hadoop);
        Dataset<Row> firstOfKey = firstOccurrences(input);
        Dataset<Row> duplicates = duplicateRejects(input);
        BpeTokenizer tokenizer = tokenizer(firstOfKey, resolver, hadoop);

        Processed outcome = process(firstOfKey, rowsIn, resolver, hadoop, tokenizer);
        writeSamples(outcome.samples(), out.staged(DatasetFolder.SAMPLES));
        writeRejects(outcome.rejects().unionByName(duplicates), out.staged(DatasetFolder.REJECTS));
        outcome.release();
        out.writeString(out.staged(DatasetFolder.TOKENIZER_JSON), tokenizer.toJson());
        input.unpersist();

        double seconds = (System.nanoTime() - start) / 1e9;
        describe("statistics");
        DatasetInfo info = DatasetInfo.describe(spark, out, true, options, located, tokenizer, rowsIn, seconds, "prepare");
        Result result = reconcile(out, info, rowsIn);
        out.writeString(out.staged(DatasetFolder.DATASET_JSON), info.toJson());
        out.markStagingReady();
        describe("commit");
        out.commit(null);
        describe("done");
        info.printSummary();
        return result;
    }

    /**
     * Processes only the rows in {@code rejects/} again (with the dataset's own tokenizer and the same
     * preprocessing parameters) and merges: new samples join {@code samples/}, rows that fail again stay
     * in {@code rejects/}. A killed retry is finished by the next one.
     */
    public Result retryRejects() {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        DatasetFolder out = new DatasetFolder(options.outputPath(), hadoop);
        if (out.stagingReady()) {
            LOG.info("prepare --retry-rejects: finishing the commit of an earlier, interrupted retry");
            out.commit("retry-");
        }
        if (!out.isComplete()) {
            throw new IllegalStateException("no complete prepared dataset in " + out.root()
                    + " (no dataset.json): run `chorus prepare` without --retry-rejects first");
        }
        DatasetInfo previous = DatasetInfo.parse(out.readString(out.path(DatasetFolder.DATASET_JSON)));
        previous.requireSamePreprocessing(options);
        BpeTokenizer tokenizer = BpeTokenizer.fromJson(out.readString(out.path(DatasetFolder.TOKENIZER_JSON)));
        out.resetStaging();
        long start = System.nanoTime();

        ManifestReader reader = new ManifestReader(spark, options.input());
        ManifestReader.Located located = reader.locate();
        MediaPathResolver resolver = resolver(located, hadoop);
        String runId = "retry-" + previous.runCount() + "-";

        Dataset<Row> oldRejects = spark.read().schema(DatasetSchema.REJECTS).parquet(out.path(DatasetFolder.REJECTS).toString())
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> sampleKeys = spark.read().parquet(out.path(DatasetFolder.SAMPLES).toString()).select("key");
        // A malformed manifest row cannot be redone from what the reject kept: it stays as it is.
        Column unrecoverable = col("error_class").equalTo("read.malformed-row");
        Dataset<Row> kept = oldRejects.filter(unrecoverable);
        Dataset<Row> candidates = oldRejects.filter(not(unrecoverable));
        Dataset<Row> retryInput = candidates.select(DatasetSchema.INPUT_FIELDS.stream().map(f -> col(f.name()))
                .toArray(Column[]::new)).withColumn("read_error", org.apache.spark.sql.functions.lit(null).cast("string"));
        Dataset<Row> fresh = retryInput.join(sampleKeys, retryInput.col("key").equalTo(sampleKeys.col("key")), "left_anti");
        Dataset<Row> stillDuplicate = retryInput.join(sampleKeys, retryInput.col("key").equalTo(sampleKeys.col("key")), "left_semi");
        long retried = candidates.count();
        LOG.info("prepare --retry-rejects: {} rejected rows to retry ({} cannot be redone: malformed manifest rows)",
                retried, kept.count());

        Processed outcome = process(firstOccurrences(fresh), retried, resolver, hadoop, tokenizer);
        Dataset<Row> newRejects = kept
                .unionByName(outcome.rejects())
                .unionByName(duplicateRejects(fresh))
                .unionByName(duplicateOfSampleRejects(stillDuplicate));
        writeSamples(outcome.samples(), out.staged(DatasetFolder.SAMPLES));
        writeRejects(newRejects, out.staged(DatasetFolder.REJECTS));
        outcome.release();
        long recovered = spark.read().parquet(out.staged(DatasetFolder.SAMPLES).toString()).count();
        oldRejects.unpersist();

        double seconds = (System.nanoTime() - start) / 1e9;
        DatasetInfo info = DatasetInfo.describe(spark, out, false, options, located, tokenizer, previous.rowsIn(), seconds,
                "retry-rejects").withEarlierRuns(previous);
        Result result = reconcile(out, info, previous.rowsIn());
        out.writeString(out.staged(DatasetFolder.DATASET_JSON), info.toJson());
        out.markStagingReady();
        out.commit(runId);
        LOG.info("prepare --retry-rejects: {} of {} retried rows now prepared", recovered, retried);
        info.printSummary();
        return result;
    }

    private Result reconcile(DatasetFolder out, DatasetInfo info, long rowsIn) {
        Result result = new Result(out.root().toString(), rowsIn, info.samples(), info.rejects(), info.seconds());
        String line = String.format(Locale.ROOT, "reconcile: %,d rows in = %,d samples + %,d rejects %s",
                rowsIn, result.samples(), result.rejects(), result.reconciles() ? "(ok)" : "(MISMATCH)");
        System.out.println(line);
        if (!result.reconciles()) {
            throw new IllegalStateException("rows were lost or duplicated; the dataset was not committed: " + line);
        }
        return result;
    }

    private MediaPathResolver resolver(ManifestReader.Located located, Configuration hadoop) {
        URI folder = located.folder().toUri();
        URI root = options.input().root() == null ? folder : new DatasetFolder(options.input().root(), hadoop).root().toUri();
        return new MediaPathResolver(folder, root);
    }

    private static WindowSpec byKey() {
        return Window.partitionBy("key").orderBy("source_file", "source_row");
    }

    /** Rows that can carry a key: read fine and have one. */
    private static Column keyed() {
        return col("read_error").isNull().and(col("key").isNotNull());
    }

    /** Every row except the second and later occurrences of a key (the first in file, row order wins). */
    private static Dataset<Row> firstOccurrences(Dataset<Row> input) {
        Dataset<Row> ranked = input.filter(keyed()).withColumn("_rank", row_number().over(byKey()))
                .filter(col("_rank").equalTo(1)).drop("_rank");
        return ranked.unionByName(input.filter(not(keyed())));
    }

    private static Dataset<Row> duplicateRejects(Dataset<Row> input) {
        Dataset<Row> dups = input.filter(keyed())
                .withColumn("_rank", row_number().over(byKey()))
                .withColumn("_first_file", first("source_file").over(byKey()))
                .withColumn("_first_row", first("source_row").over(byKey()))
                .filter(col("_rank").gt(1));
        return spark(dups).createDataFrame(dups.javaRDD().map(r -> SampleProcessor.rejectRow(r, "dedupe",
                "dedupe.duplicate-key", "key", "key '" + r.getString(0) + "' was already used by "
                        + r.getString(r.fieldIndex("_first_file")) + " row " + r.getLong(r.fieldIndex("_first_row")))),
                DatasetSchema.REJECTS);
    }

    private static Dataset<Row> duplicateOfSampleRejects(Dataset<Row> input) {
        return spark(input).createDataFrame(input.javaRDD().map(r -> SampleProcessor.rejectRow(r, "dedupe",
                "dedupe.duplicate-key", "key", "key '" + r.getString(0) + "' is already a sample of this dataset")),
                DatasetSchema.REJECTS);
    }

    private static SparkSession spark(Dataset<Row> ds) {
        return ds.sparkSession();
    }

    /** Learns the BPE vocabulary from the training split's captions, or loads the configured one. */
    private BpeTokenizer tokenizer(Dataset<Row> rows, MediaPathResolver resolver, Configuration hadoop) {
        if (options.tokenizer().vocabulary() != null) {
            DatasetFolder folder = new DatasetFolder(new Path(options.tokenizer().vocabulary()).getParent().toString(), hadoop);
            LOG.info("prepare: using tokenizer {}", options.tokenizer().vocabulary());
            return BpeTokenizer.fromJson(folder.readString(new Path(options.tokenizer().vocabulary())));
        }
        describe("learn tokenizer");
        PrepareOptions opts = options;
        SerializableHadoopConf conf = new SerializableHadoopConf(hadoop);
        JavaRDD<String> captions = rows.filter(keyed()).javaRDD().mapPartitions(it -> {
            TextNormalizer normalizer = new TextNormalizer(opts.text());
            MediaFiles files = new MediaFiles(conf.get(), opts.input().maxFileBytes());
            List<String> out = new ArrayList<>();
            while (it.hasNext()) {
                Row r = it.next();
                if (!SplitAssigner.TRAIN.equals(opts.split().splitOf(r.getString(0)))) {
                    continue;
                }
                for (String raw : rawCaptions(r, resolver, files)) {
                    try {
                        out.add(normalizer.normalize(raw));
                    } catch (SampleRejectedException ignored) {
                        // the row will be rejected, with its reason, when it is processed
                    }
                }
            }
            return out.iterator();
        });
        long t = System.nanoTime();
        BpeTokenizer tokenizer = TokenizerTrainingJob.learn(captions, options.tokenizer().vocabSize(),
                options.tokenizer().minWordFrequency());
        LOG.info(String.format(Locale.ROOT, "prepare: learned a byte-level BPE vocabulary of %d tokens in %.1f s",
                tokenizer.vocabSize(), (System.nanoTime() - t) / 1e9));
        return tokenizer;
    }

    private static List<String> rawCaptions(Row r, MediaPathResolver resolver, MediaFiles files) {
        int captions = r.fieldIndex("captions");
        int captionFile = r.fieldIndex("caption_file");
        if (!r.isNullAt(captions)) {
            List<String> list = new ArrayList<>();
            for (Object o : r.getList(captions)) {
                if (o != null) {
                    list.add(o.toString());
                }
            }
            return list;
        }
        if (!r.isNullAt(captionFile)) {
            try {
                String text = TextNormalizer.decodeUtf8Strict(files.readBytes("caption",
                        resolver.resolve("caption", r.getString(captionFile))));
                return List.of(text.split("\\R"));
            } catch (SampleRejectedException e) {
                return List.of();
            }
        }
        return List.of();
    }

    /**
     * Decodes every row on the executors, in one persisted pass that both outputs read.
     * Rows are hash-partitioned by key into the output shards and sorted by key <em>before</em> decoding,
     * so the heavy decoded tensors are written where they were made (no shuffle of pixels) and a rerun
     * puts the same rows in the same shards.
     */
    private Processed process(Dataset<Row> rows, long total, MediaPathResolver resolver, Configuration hadoop,
                                   BpeTokenizer tokenizer) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<BpeTokenizer> tokens = jsc.broadcast(tokenizer);
        SerializableHadoopConf conf = new SerializableHadoopConf(hadoop);
        PrepareOptions opts = options;
        // At least one shard per core, so that every core decodes.
        int shards = (int) Math.max(jsc.defaultParallelism(),
                Math.min(1_000_000, (total + options.rowsPerShard() - 1) / options.rowsPerShard()));
        try (ProgressReporter progress = new ProgressReporter(spark.sparkContext(), "prepare", total, progressIntervalMillis)) {
            LongAccumulator ok = progress.ok();
            LongAccumulator rejected = progress.rejected();
            JavaRDD<SampleProcessor.Outcome> outcomes = rows.repartition(shards, col("key")).sortWithinPartitions("key")
                    .javaRDD().mapPartitions(it ->
                            counted(new SampleProcessor(opts, resolver, conf.get(), tokens.value()), it, ok, rejected))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            describe("decode media");
            outcomes.count();
            Dataset<Row> samples = spark.createDataFrame(outcomes.filter(SampleProcessor.Outcome::ok)
                    .map(SampleProcessor.Outcome::row), DatasetSchema.SAMPLES);
            Dataset<Row> rejects = spark.createDataFrame(outcomes.filter(o -> !o.ok())
                    .map(SampleProcessor.Outcome::row), DatasetSchema.REJECTS);
            return new Processed(samples, rejects, outcomes);
        }
    }

    /** The two outputs of one decoding pass, backed by its persisted outcomes until {@link #release()}. */
    private record Processed(Dataset<Row> samples, Dataset<Row> rejects, JavaRDD<SampleProcessor.Outcome> outcomes) {
        /** Drops the decoded tensors from executor memory and disk once both outputs are written. */
        void release() {
            outcomes.unpersist(false);
        }
    }

    /** Processes a partition lazily, row by row, counting outcomes for the progress line. */
    private static Iterator<SampleProcessor.Outcome> counted(SampleProcessor processor, Iterator<Row> rows,
                                                             LongAccumulator ok, LongAccumulator rejected) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return rows.hasNext();
            }

            @Override
            public SampleProcessor.Outcome next() {
                SampleProcessor.Outcome o = processor.process(rows.next());
                (o.ok() ? ok : rejected).add(1);
                return o;
            }
        };
    }

    /** Samples are already sharded and sorted by {@link #process}: one Parquet file per shard. */
    private void writeSamples(Dataset<Row> samples, Path to) {
        describe("write samples");
        samples.write().mode("overwrite").parquet(to.toString());
    }

    private void writeRejects(Dataset<Row> rejects, Path to) {
        describe("write rejects");
        long n = rejects.count();
        int shards = (int) Math.max(1, (n + options.rowsPerShard() - 1) / options.rowsPerShard());
        rejects.repartition(shards, col("source_file"), col("source_row"))
                .sortWithinPartitions("source_file", "source_row")
                .write().mode("overwrite").parquet(to.toString());
    }

    private long phaseStart = System.nanoTime();
    private String phase = "start";

    /** Names the Spark jobs that follow (UI, logs) and logs how long the previous phase took. */
    private void describe(String what) {
        long now = System.nanoTime();
        LOG.info(String.format(Locale.ROOT, "prepare: %s took %.1f s", phase, (now - phaseStart) / 1e9));
        phase = what;
        phaseStart = now;
        spark.sparkContext().setJobDescription("chorus prepare: " + what);
    }
}
