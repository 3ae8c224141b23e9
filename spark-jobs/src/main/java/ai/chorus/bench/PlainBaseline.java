package ai.chorus.bench;

import ai.chorus.train.Batcher;
import ai.chorus.train.ModelState;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/**
 * The single-process baseline: a plain DL4J {@code ComputationGraph.fit} loop, no Spark, over the minibatches a
 * 1-worker run takes in its first epoch. Each step does what a worker's step does inside its task (build the
 * minibatch from the rows, fit, read the loss), so that the difference to a Spark run is the distribution alone.
 * Also times one copy of the state out of and back into the graph ({@link ModelState}), the part of a worker's
 * compute time that only averaging needs.
 */
final class PlainBaseline {
    /** {@code stepMs}: batch + fit + loss per measured step; {@code stateCopyMs}: median of a few copies out and in. */
    record Result(int warmupSteps, int steps, int batch, long samples, long parameters, double seconds,
                  double samplesPerSecond, double samplesPerSecondPerCore, StepTimes stepMs, StepTimes batchMs,
                  StepTimes fitMs, double stateCopyMs, double lastLoss, double loadAverageAfter) {
    }

    private static final int STATE_COPIES = 3;

    private PlainBaseline() {
    }

    /**
     * @param rows     one epoch's rows in the 1-worker order; step s uses rows [s * batch, (s + 1) * batch)
     * @param conf     the configuration the trainer trains (optimizer applied)
     */
    static Result measure(ComputationGraphConfiguration conf, Batcher batcher, List<Row> rows, int batch,
                          int warmupSteps, int steps, int cores, PrintStream log) {
        if ((long) (warmupSteps + steps) * batch > rows.size()) {
            throw new IllegalArgumentException("the plain baseline needs " + (warmupSteps + steps) + " batches of " + batch
                    + ", the training split has " + rows.size() + " samples");
        }
        ComputationGraph graph = new ComputationGraph(conf);
        try {
            graph.init();
            return measure(graph, batcher, rows, batch, warmupSteps, steps, cores, log);
        } finally {
            graph.close(); // frees its off-heap arrays now: the Spark runs that follow need the memory
        }
    }

    private static Result measure(ComputationGraph graph, Batcher batcher, List<Row> rows, int batch, int warmupSteps,
                                  int steps, int cores, PrintStream log) {
        double[] batchMs = new double[steps];
        double[] fitMs = new double[steps];
        double[] stepMs = new double[steps];
        double loss = Double.NaN;
        for (int s = 0; s < warmupSteps + steps; s++) {
            long t0 = System.nanoTime();
            MultiDataSet data = batcher.batch(rows.subList(s * batch, (s + 1) * batch), 0);
            long t1 = System.nanoTime();
            graph.fit(data);
            loss = graph.score() - graph.calcRegularizationScore(true);
            long t2 = System.nanoTime();
            int m = s - warmupSteps;
            if (m >= 0) {
                batchMs[m] = (t1 - t0) / 1e6;
                fitMs[m] = (t2 - t1) / 1e6;
                stepMs[m] = (t2 - t0) / 1e6;
            }
            log.printf(Locale.ROOT, "  plain step %d%s: %.0f ms, loss %.4f%n", s + 1, m < 0 ? " (warm-up)" : "",
                    (t2 - t0) / 1e6, loss);
        }
        double[] copies = new double[STATE_COPIES];
        for (int i = 0; i < copies.length; i++) {
            long t = System.nanoTime();
            ModelState.of(graph).applyTo(graph);
            copies[i] = (System.nanoTime() - t) / 1e6;
        }
        double seconds = 0;
        for (double ms : stepMs) {
            seconds += ms / 1e3;
        }
        long samples = (long) steps * batch;
        double rate = samples / seconds;
        return new Result(warmupSteps, steps, batch, samples, graph.params().length(), seconds, rate, rate / cores,
                StepTimes.of(stepMs), StepTimes.of(batchMs), StepTimes.of(fitMs), StepTimes.of(copies).median(), loss,
                SparkTrainBenchmark.loadAverage());
    }
}
