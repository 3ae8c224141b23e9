package ai.chorus.embed;

import ai.chorus.models.ModelIO;
import ai.chorus.train.Embeddings;
import ai.chorus.train.NativeThreads;
import ai.chorus.train.SampleBatches;
import ai.chorus.train.TaskThreads;
import ai.chorus.train.TrainedRun;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

import static org.apache.spark.sql.functions.col;

/**
 * {@code chorus embed}: a trained model over one split of a prepared dataset, on Spark. The model travels once per
 * executor (a broadcast of model.zip, deserialised into {@link ExecutorGraphs}); each partition embeds its own rows in
 * minibatches, every caption of a sample as its own text row. Output rows follow {@link EmbeddingRows}.
 */
public final class EmbedJob {
    private EmbedJob() {
    }

    /** The embeddings of {@code split} of {@code dataset} (lazy: nothing runs until the result is written or read). */
    public static Dataset<Row> embed(SparkSession spark, TrainedRun run, String dataset, String split, int batchSize) {
        ModelIO io = run.model().io();
        if (io.embeddings().isEmpty()) {
            throw new IllegalArgumentException("model '" + run.modelName() + "' of " + run.folder() + " has no embedding "
                    + "outputs (it classifies); embedding and retrieval need a contrastive model such as clip, "
                    + "videoclip or audioclip");
        }
        Dataset<Row> samples = spark.read().parquet(new Path(dataset, "samples").toString())
                .filter(col("split").equalTo(split));
        Broadcast<byte[]> model = JavaSparkContext.fromSparkContext(spark.sparkContext()).broadcast(run.modelZip());
        SampleBatches batcher = new SampleBatches(io, run.model().shapes(), 0, run.model().classes(), 0);
        JavaRDD<Row> input = samples.javaRDD();
        // Tasks sharing an executor must not each take every core's native threads (auto rule of TaskThreads).
        int threads = TaskThreads.resolve(0, spark.sparkContext(), input.getNumPartitions());
        JavaRDD<Row> rows = input.mapPartitions(new EmbedPartition(model, run.modelHash(), io, batcher, batchSize, threads));
        return spark.createDataFrame(rows, EmbeddingRows.SCHEMA);
    }

    /** One partition's work; a static class so that only the broadcast and the small settings travel with tasks. */
    static final class EmbedPartition implements FlatMapFunction<Iterator<Row>, Row> {
        private static final Logger LOG = LoggerFactory.getLogger(EmbedPartition.class);
        private final Broadcast<byte[]> model;
        private final String modelHash;
        private final ModelIO io;
        private final SampleBatches batcher;
        private final int batchSize;
        private final boolean text;
        private final int threads;

        EmbedPartition(Broadcast<byte[]> model, String modelHash, ModelIO io, SampleBatches batcher, int batchSize,
                       int threads) {
            this.model = model;
            this.modelHash = modelHash;
            this.io = io;
            this.batcher = batcher;
            this.batchSize = batchSize;
            this.text = io.embeddings().containsKey("text") && io.inputs().contains("text");
            this.threads = threads;
        }

        /**
         * Lazy: one minibatch is embedded when the writer asks for rows past the previous one, so a partition's
         * embeddings never sit in memory all at once. The graph goes back to the pool when the partition is done.
         */
        @Override
        public Iterator<Row> call(Iterator<Row> samples) {
            long start = System.nanoTime();
            NativeThreads.limit(threads);
            ComputationGraph graph = ExecutorGraphs.borrow(modelHash, () -> TrainedRun.restore(model.value()));
            return new Iterator<>() {
                private final ArrayDeque<Row> ready = new ArrayDeque<>();
                private final List<Row> chunk = new ArrayList<>(batchSize);
                private long count;
                private long rows;
                private boolean done;

                @Override
                public boolean hasNext() {
                    while (ready.isEmpty() && !done) {
                        if (!samples.hasNext()) {
                            finish();
                            break;
                        }
                        while (samples.hasNext() && chunk.size() < batchSize) {
                            chunk.add(samples.next());
                        }
                        List<Row> out = new ArrayList<>();
                        embed(graph, chunk, out);
                        count += chunk.size();
                        rows += out.size();
                        chunk.clear();
                        ready.addAll(out);
                    }
                    return !ready.isEmpty();
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    return ready.poll();
                }

                private void finish() {
                    done = true;
                    ExecutorGraphs.giveBack(modelHash, graph);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    LOG.info(String.format("embedded %d samples into %d rows in %.1f s (%.1f samples/s)", count, rows,
                            seconds, count / Math.max(seconds, 1e-9)));
                }
            };
        }

        /** Pass c embeds caption c of every sample that has one; the first pass also gives the other modalities. */
        private void embed(ComputationGraph graph, List<Row> chunk, List<Row> out) {
            int passes = 1;
            if (text) {
                for (Row r : chunk) {
                    passes = Math.max(passes, SampleBatches.captionCount(r));
                }
            }
            for (int c = 0; c < passes; c++) {
                int caption = c;
                List<Row> rows = c == 0 ? chunk : chunk.stream().filter(r -> SampleBatches.captionCount(r) > caption).toList();
                MultiDataSet batch = text ? batcher.batchWithCaption(rows, c) : batcher.batch(rows, 0);
                for (Map.Entry<String, INDArray> e : Embeddings.of(graph, io, batch).entrySet()) {
                    String modality = e.getKey();
                    boolean isText = "text".equals(modality);
                    if (!isText && c > 0) {
                        continue;
                    }
                    float[][] vectors = e.getValue().toFloatMatrix();
                    for (int b = 0; b < rows.size(); b++) {
                        Row r = rows.get(b);
                        if (isText ? SampleBatches.captionCount(r) > c : SampleBatches.has(r, modality)) {
                            out.add(RowFactory.create(r.getAs("key"), r.getAs("split"), r.getAs("label"), modality,
                                    isText ? c : -1, isText ? r.getList(r.fieldIndex("captions")).get(c) : null,
                                    vectors[b]));
                        }
                    }
                }
            }
        }
    }
}
