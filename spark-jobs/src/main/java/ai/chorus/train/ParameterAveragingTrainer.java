package ai.chorus.train;

import ai.chorus.models.ModelIO;
import ai.chorus.models.training.Optimization;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Optional;

/**
 * Parameter averaging on Spark's core API. Each round: broadcast the parameters and updater state; every worker
 * (one task per partition of the {@link WorkerDeal}) fits {@code averaging-frequency} minibatches of its own share
 * from that state; a tree aggregation sums the workers' parameters and updater states; the driver divides by the
 * number of workers. With averaging every step and plain SGD this is exactly synchronous data parallelism.
 * Checkpoints every N rounds make a killed run resumable where it stopped ({@link Checkpoints}); per-round
 * metrics go to {@link MetricsLog} and, as progress with an ETA, to the log.
 */
public final class ParameterAveragingTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(ParameterAveragingTrainer.class);

    /** The trained graph (parameters and updater state averaged), where the run ended, and what it measured. */
    public record Result(ComputationGraph model, TrainerState state, double lastLoss) {
    }

    private final SparkSession spark;
    private final TrainOptions options;
    private final ComputationGraphConfiguration architecture;
    private final ModelIO io;
    private final Batcher batcher;
    private final String configHash;
    private final String modelName;
    private int injectFailureAtRound = -1;
    private List<Row> validationRows;

    public ParameterAveragingTrainer(SparkSession spark, TrainOptions options, ComputationGraphConfiguration architecture,
                                     ModelIO io, Batcher batcher, String modelName, String configHash) {
        this.spark = spark;
        this.options = options;
        this.architecture = architecture;
        this.io = io;
        this.batcher = batcher;
        this.modelName = modelName;
        this.configHash = configHash;
    }

    /** Rows of the validation split (at most chorus.train.validation.max-samples), used every N rounds. */
    public ParameterAveragingTrainer validateOn(List<Row> rows) {
        this.validationRows = rows;
        return this;
    }

    /** Test hook: the first attempt of worker 0's task fails in this round (Spark must retry it). */
    public ParameterAveragingTrainer injectFailureAtRound(int round) {
        this.injectFailureAtRound = round;
        return this;
    }

    /**
     * Trains on {@code rows} (the training split; {@code keyField} is the index of the key column).
     * With {@code resume}, continues from the newest complete checkpoint in the run folder, if any.
     */
    public Result train(JavaRDD<Row> rows, int keyField, boolean resume) {
        Checkpoints checkpoints = new Checkpoints(options.output(), spark.sparkContext().hadoopConfiguration());
        checkpoints.checkWritable();
        MetricsLog metrics = new MetricsLog(options.output(), spark.sparkContext().hadoopConfiguration());
        WorkerDeal deal = WorkerDeal.of(rows, keyField, options.workers(), options.batchSize(), options.seed());
        try {
            return run(deal, checkpoints, metrics, resume, keyField);
        } finally {
            deal.release();
            if (spark.sparkContext().isLocal()) {
                // The tasks ran in this JVM and limited its (process-wide) ND4J pools: give the driver's later work
                // (saving, evaluation in a pipeline) its cores back.
                NativeThreads.restoreDefaults();
            }
        }
    }

    private Result run(WorkerDeal deal, Checkpoints checkpoints, MetricsLog metrics, boolean resume, int keyField) {
        int stepsPerEpoch = deal.stepsPerEpoch();
        long totalSteps = (long) options.epochs() * stepsPerEpoch;
        if (options.maxSteps() > 0) {
            totalSteps = Math.min(totalSteps, options.maxSteps());
        }
        Optimization optimization = options.optimizer().optimization(totalSteps);
        ComputationGraphConfiguration conf = optimization.applyTo(architecture.clone());
        String confJson = conf.toJson();

        ComputationGraph master;
        TrainerState position;
        Optional<Checkpoints.Checkpoint> from = resume ? checkpoints.newest() : Optional.empty();
        if (from.isPresent()) {
            TrainerState saved = from.get().state();
            if (!saved.configHash().equals(configHash)) {
                throw new IllegalArgumentException("cannot resume from " + from.get().folder() + ": it was written with"
                        + " other settings (config hash " + saved.configHash() + ", now " + configHash + "); use a new"
                        + " chorus.train.output or the same configuration");
            }
            master = checkpoints.load(from.get());
            position = saved;
            LOG.info("resuming from {}: round {}, epoch {}, step {} of the epoch", from.get().folder(), saved.round(),
                    saved.epoch(), saved.stepInEpoch());
        } else {
            master = new ComputationGraph(conf);
            master.init();
            position = new TrainerState(0, 0, 0, 0, 0, options.seed(), configHash, modelName);
        }
        int copies = spark.sparkContext().isLocal() ? options.workers() + 1 : 1;
        List<Row> probe = deal.shares().values().take(options.batchSize());
        OffHeapBudget.check(master, batcher.batch(probe, 0), options.offHeapLimitBytes(), copies);
        metrics.startAt(position.round());
        long totalRounds = rounds(totalSteps, stepsPerEpoch, options.averagingFrequency());
        int threads = TaskThreads.resolve(options.threadsPerWorker(), spark.sparkContext(), options.workers());
        LOG.info("training {} on {} samples: {} workers x batch {} = {} samples per step, {} steps per epoch, "
                        + "{} steps in all, averaging every {} steps ({} rounds), {} native threads per worker",
                modelName, deal.samples(), options.workers(), options.batchSize(),
                (long) options.workers() * options.batchSize(), stepsPerEpoch, totalSteps, options.averagingFrequency(),
                totalRounds, threads);

        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Progress progress = new Progress(totalRounds, options.progressSeconds());
        Validation validation = options.validationEveryRounds() > 0 && validationRows != null && !validationRows.isEmpty()
                ? new Validation(validationRows, io, batcher, options.batchSize()) : null;
        double lastLoss = Double.NaN;
        int epoch = position.epoch();
        int stepInEpoch = position.stepInEpoch();
        long globalStep = position.globalStep();
        long samplesSeen = position.samplesSeen();
        int round = position.round();
        while (globalStep < totalSteps) {
            while (stepInEpoch < stepsPerEpoch && globalStep < totalSteps) {
                int steps = (int) Math.min(Math.min(options.averagingFrequency(), stepsPerEpoch - stepInEpoch),
                        totalSteps - globalStep);
                long t0 = System.nanoTime();
                Broadcast<ModelState> state = jsc.broadcast(ModelState.of(master));
                long t1 = System.nanoTime();
                RoundTask task = new RoundTask(confJson, state, batcher, options.batchSize(), epoch, stepInEpoch, steps,
                        options.seed() + round, round, injectFailureAtRound, threads, options.seed(), keyField);
                RoundResult result = deal.shares().mapPartitions(task)
                        .treeAggregate(new RoundResult(), RoundResult::merge, RoundResult::merge, options.aggregationDepth());
                long t2 = System.nanoTime();
                result.average((int) (globalStep + steps)).applyTo(master);
                state.destroy(false);
                stepInEpoch += steps;
                globalStep += steps;
                samplesSeen += result.samples();
                round++;
                lastLoss = result.meanLoss();

                double roundSeconds = (System.nanoTime() - t0) / 1e9;
                ObjectNode m = MetricsLog.record();
                m.put("round", round - 1).put("epoch", epoch).put("step", globalStep).put("samples_seen", samplesSeen)
                        .put("loss", lastLoss)
                        .put("learning_rate", optimization.updater().getLearningRate((int) globalStep - 1, epoch))
                        .put("samples_per_second", result.samples() / roundSeconds)
                        .put("compute_seconds", result.computeSecondsMax())
                        .put("broadcast_seconds", (t1 - t0) / 1e9)
                        .put("aggregate_seconds", Math.max(0, (t2 - t1) / 1e9 - result.computeSecondsMax()))
                        .put("round_seconds", roundSeconds)
                        .put("workers", result.workers())
                        .put("native_threads_per_worker", result.nativeThreadsMax());
                boolean last = globalStep >= totalSteps;
                if (validation != null && (round % options.validationEveryRounds() == 0 || last)) {
                    validation.evaluate(master, m);
                }
                metrics.append(m);
                progress.round(round, globalStep, totalSteps, samplesSeen, m);
                if (round % options.checkpointEveryRounds() == 0 || last) {
                    checkpoints.write(master, stateAfter(round, epoch, stepInEpoch, stepsPerEpoch, globalStep,
                            samplesSeen), options.checkpointsKept());
                }
            }
            if (stepInEpoch == stepsPerEpoch) {
                epoch++;
                stepInEpoch = 0;
            }
        }
        return new Result(master, new TrainerState(round, epoch, stepInEpoch, globalStep, samplesSeen, options.seed(),
                configHash, modelName), lastLoss);
    }

    /** Where the run stands after {@code round} rounds: an epoch that just ended counts as the next one at step 0. */
    private TrainerState stateAfter(int round, int epoch, int stepInEpoch, int stepsPerEpoch, long globalStep,
                                    long samplesSeen) {
        boolean epochDone = stepInEpoch == stepsPerEpoch;
        return new TrainerState(round, epochDone ? epoch + 1 : epoch, epochDone ? 0 : stepInEpoch, globalStep,
                samplesSeen, options.seed(), configHash, modelName);
    }

    /** Rounds never span two epochs: an epoch has ceil(stepsPerEpoch / F) rounds, its last one maybe shorter. */
    static long rounds(long totalSteps, int stepsPerEpoch, int frequency) {
        long perEpoch = (stepsPerEpoch + frequency - 1) / frequency;
        long remainder = totalSteps % stepsPerEpoch;
        return totalSteps / stepsPerEpoch * perEpoch + (remainder + frequency - 1) / frequency;
    }
}
