package ai.chorus.train;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.Tuple2;

import java.util.Iterator;
import java.util.List;

/**
 * One worker's part of one averaging round, run as a Spark task on worker w's partition (rows already in the
 * epoch's order): start from the broadcast state, fit minibatches {@code firstStep .. firstStep + steps - 1} of
 * the epoch, return the new state. A pure function of (broadcast state, partition, round), so Spark may retry
 * or speculate it freely.
 */
final class RoundTask implements FlatMapFunction<Iterator<Tuple2<Integer, Row>>, RoundResult> {
    private static final Logger LOG = LoggerFactory.getLogger(RoundTask.class);
    private static volatile boolean memoryLogged;

    private final String configurationJson;
    private final Broadcast<ModelState> state;
    private final Batcher batcher;
    private final int batchSize;
    private final int epoch;
    private final int firstStep;
    private final int steps;
    private final long roundSeed;
    private final int injectFailureAtRound;
    private final int round;
    private final int threads;
    private final long dealSeed;
    private final int keyField;

    /**
     * {@code threads}: the native threads this task may use, resolved on the driver ({@link TaskThreads});
     * {@code dealSeed} and {@code keyField}: what orders a share for an epoch ({@link WorkerDeal#ordered}).
     */
    RoundTask(String configurationJson, Broadcast<ModelState> state, Batcher batcher, int batchSize, int epoch,
              int firstStep, int steps, long roundSeed, int round, int injectFailureAtRound, int threads,
              long dealSeed, int keyField) {
        this.configurationJson = configurationJson;
        this.state = state;
        this.batcher = batcher;
        this.batchSize = batchSize;
        this.epoch = epoch;
        this.firstStep = firstStep;
        this.steps = steps;
        this.roundSeed = roundSeed;
        this.round = round;
        this.injectFailureAtRound = injectFailureAtRound;
        this.threads = threads;
        this.dealSeed = dealSeed;
        this.keyField = keyField;
    }

    @Override
    public Iterator<RoundResult> call(Iterator<Tuple2<Integer, Row>> share) {
        TaskContext task = TaskContext.get();
        int worker = task == null ? 0 : task.partitionId();
        logMemoryOnce();
        // The share in this epoch's order, sorted here from the cached deal: cheaper than a persisted ordered copy
        // per epoch (a Spark job that stored every row again, ~0.6 s an epoch).
        List<Row> ordered = WorkerDeal.ordered(share, dealSeed, epoch, keyField);
        int skip = firstStep * batchSize;
        if (ordered.size() < skip + steps * batchSize) {
            throw new IllegalStateException("worker " + worker + " has " + ordered.size() + " samples for round " + round
                    + ", needs " + (skip + steps * batchSize) + " (the deal changed under a running job?)");
        }
        List<Row> mine = ordered.subList(skip, skip + steps * batchSize);
        if (round == injectFailureAtRound && worker == 0 && task != null && task.attemptNumber() == 0) {
            throw new IllegalStateException("injected failure in round " + round + " (chorus.train.inject-failure-at-round)");
        }
        // Before this task's first ND4J work (a graph build included), and on its own thread: OpenMP's setting is
        // per thread, and Spark may run each task on another pooled thread.
        NativeThreads.Settings nd4jThreads = NativeThreads.limit(threads);
        ComputationGraph graph = WorkerGraphs.borrow(configurationJson);
        try {
            long start = System.nanoTime();
            state.value().applyTo(graph);
            // Dropout and other randomness: the same for a retried task, different per worker and round.
            Nd4j.getRandom().setSeed(roundSeed * 1_000_003L + worker);
            double lossSum = 0;
            for (int s = 0; s < steps; s++) {
                MultiDataSet batch = batcher.batch(mine.subList(s * batchSize, (s + 1) * batchSize), epoch);
                graph.fit(batch);
                // The loss alone: DL4J's score adds the weight-decay penalty, which is not what a loss curve shows.
                lossSum += graph.score() - graph.calcRegularizationScore(true);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return List.of(RoundResult.of(ModelState.of(graph), steps, (long) steps * batchSize, lossSum, seconds,
                    nd4jThreads.max())).iterator();
        } finally {
            WorkerGraphs.giveBack(configurationJson, graph);
        }
    }

    private static void logMemoryOnce() {
        if (!memoryLogged) {
            memoryLogged = true;
            LOG.info("executor memory: JavaCPP off-heap limit {} MiB (physical limit {} MiB), in use {} MiB, "
                            + "process physical {} MiB; JVM heap max {} MiB",
                    Pointer.maxBytes() >> 20, Pointer.maxPhysicalBytes() >> 20, Pointer.totalBytes() >> 20,
                    Pointer.physicalBytes() >> 20, Runtime.getRuntime().maxMemory() >> 20);
        }
    }
}
