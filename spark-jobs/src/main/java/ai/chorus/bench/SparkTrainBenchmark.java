package ai.chorus.bench;

import ai.chorus.train.ParameterAveragingTrainer;
import ai.chorus.train.TrainJob;
import ai.chorus.train.TrainOptions;
import ai.chorus.train.WorkerDeal;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.factory.Nd4j;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * What parameter averaging on Spark costs over a plain single-process fit, measured in one run on the same data:
 * first the plain DL4J loop ({@link PlainBaseline}) over the minibatches of a 1-worker run's first epoch, then, for
 * each number of workers (a Spark session each, master {@code local[W]} by default), one
 * {@link ParameterAveragingTrainer} run per averaging frequency F. Every Spark run trains {@code warmupRounds * F}
 * warm-up steps then {@code steps} measured steps per worker, all inside the first epoch (an epoch boundary would cut
 * a round short); its timings are the trainer's own {@code metrics.jsonl} ({@link RoundMetrics}) for the rounds
 * after the warm-up ones. The plain loop's warm-up is {@code warmupRounds * max F} steps, so that it measures the
 * very minibatches the 1-worker run at the largest F measures.
 */
public final class SparkTrainBenchmark {
    public static final String COMMAND = "bench-spark-train";
    /** The target (training-speed issue): at averaging frequency 5, Spark adds at most 10% to the single-process time. */
    static final int TARGET_FREQUENCY = 5;
    static final double TARGET_MAX_OVERHEAD = 0.10;

    /** {@code masterPattern}: a Spark master with {@code {workers}} standing for the run's number of workers. */
    public record Settings(int steps, List<Integer> frequencies, List<Integer> workers, int warmupRounds,
                           String masterPattern) {
        public Settings {
            frequencies = List.copyOf(frequencies);
            workers = List.copyOf(workers);
            if (steps < 1 || warmupRounds < 1 || frequencies.isEmpty() || workers.isEmpty()) {
                throw new IllegalArgumentException("need --steps >= 1, --warmup-rounds >= 1 (the first round holds "
                        + "one-off costs), and at least one frequency and one worker count; got steps " + steps
                        + ", warm-up rounds " + warmupRounds + ", frequencies " + frequencies + ", workers " + workers);
            }
            for (int f : frequencies) {
                if (f < 1 || steps % f != 0) {
                    throw new IllegalArgumentException("--steps " + steps + " must be a multiple of every averaging "
                            + "frequency (got " + f + "), so that every run measures whole rounds of the same samples");
                }
            }
            for (int w : workers) {
                if (w < 1) {
                    throw new IllegalArgumentException("a number of workers must be >= 1, got " + w);
                }
            }
        }

        int maxFrequency() {
            return Collections.max(frequencies);
        }

        public String master(int workers) {
            return masterPattern.replace("{workers}", Integer.toString(workers));
        }
    }

    /**
     * One Spark run, measured rounds only. {@code overhead}: (seconds - plain seconds for the same samples per worker)
     * / those plain seconds, and its two parts: {@code computeSlowdown - 1} (a worker's compute per step against a
     * plain step) plus {@code nonComputeOverhead} (broadcast, aggregate and driver time against the plain time).
     * {@code sameCoresOverhead}: against the plain loop fitting all workers' samples on the same cores
     * (plain samples/s over Spark samples/s, minus 1); equal to {@code overhead} for 1 worker.
     * {@code partsOverhead}: only what a plain loop does not do, against the plain time: the non-compute time plus
     * a state copy out and in per round ({@code stateCopySeconds}, timed on the plain graph). It leaves out the
     * noise of compute on a loaded machine and the sharing of cores between workers of one machine, so it is the
     * estimate for workers with cores of their own.
     */
    public record SparkRun(int workers, int averagingFrequency, String master, int measuredRounds, long stepsPerWorker,
                           long samples, double seconds, double samplesPerSecond, double samplesPerSecondPerCore,
                           double computeSeconds, double broadcastSeconds, double aggregateSeconds, double otherSeconds,
                           double computeMsPerStep, double plainSecondsSameSamplesPerWorker, double overhead,
                           double computeSlowdown, double nonComputeOverhead, double sameCoresOverhead,
                           double stateCopySeconds, double partsOverhead, int warmupRounds, double warmupSeconds, double outsideRoundsSeconds, double totalSeconds,
                           double lastLoss, double loadAverageAfter) {
    }

    /** The target checked per number of workers at its averaging frequency (same-cores overhead). */
    public record Target(int averagingFrequency, double maxOverhead, List<TargetCheck> checks) {
    }

    public record TargetCheck(int workers, double overhead, double sameCoresOverhead, double partsOverhead,
                              boolean met) {
    }

    public record Report(String command, String started, String model, String size, String dataset,
                         long trainSamples, int batchSize, String optimizer, TrainBenchmark.Machine machine,
                         Settings settings, PlainBaseline.Result plain, List<SparkRun> spark, Target target,
                         List<String> notes) {
    }

    private final Settings settings;
    private final Path runsDir;
    private final PrintStream log;

    /** {@code runsDir}: where each Spark run gets its run folder ({@code w<W>-f<F>}, with its metrics.jsonl). */
    public SparkTrainBenchmark(Settings settings, Path runsDir, PrintStream log) {
        this.settings = settings;
        this.runsDir = runsDir;
        this.log = log;
    }

    /**
     * @param config   a {@code chorus train} configuration (model, dataset, {@code chorus.train.*}); workers,
     *                 averaging frequency, steps, output, checkpoints and validation are set per run
     * @param sessions a Spark session for a master; each is stopped after its runs
     */
    public Report run(Config config, IntFunction<SparkSession> sessions) {
        String started = Instant.now().toString();
        double loadStart = loadAverage();
        int cores = Runtime.getRuntime().availableProcessors();
        // Every setting is checked before Spark starts: a bad one fails in a second.
        TrainOptions options = TrainOptions.fromConfig(runConfig(config, 1, settings.maxFrequency()));
        PlainBaseline.Result plain = null;
        long trainSamples = -1;
        List<SparkRun> runs = new ArrayList<>();
        for (int w : settings.workers()) {
            SparkSession spark = sessions.apply(w);
            try {
                TrainJob.Plan plan = new TrainJob(spark, runConfig(config, w, settings.maxFrequency())).plan();
                if (plain == null) {
                    trainSamples = plan.train().count();
                    checkOneEpochHoldsEveryRun(trainSamples, options.batchSize());
                    plain = plain(config, plan, cores);
                }
                for (int f : settings.frequencies()) {
                    runs.add(spark(spark, config, plan, w, f, plain, cores));
                }
            } finally {
                spark.stop();
            }
        }
        TrainBenchmark.Machine machine = new TrainBenchmark.Machine(cores, System.getenv("OMP_NUM_THREADS"),
                Runtime.version().toString(), Nd4j.getBackend().getClass().getSimpleName(),
                String.valueOf(Nd4j.factory().blas().getBlasVendor()), loadStart, loadAverage());
        return new Report(COMMAND, started, config.getString("chorus.model.name"),
                config.hasPath("chorus.model.size") ? config.getString("chorus.model.size") : null, options.dataset(),
                trainSamples, options.batchSize(), options.optimizer().name().name().toLowerCase(Locale.ROOT), machine,
                settings, plain, List.copyOf(runs), target(runs), notes(cores));
    }

    /** The run's configuration: W workers at frequency F for warm-up + measured steps, no checkpoints but the last. */
    Config runConfig(Config config, int workers, int frequency) {
        String output = runsDir.resolve("w" + workers + "-f" + frequency).toUri().toString();
        return config.withValue("chorus.train.workers", ConfigValueFactory.fromAnyRef(workers))
                .withValue("chorus.train.averaging-frequency", ConfigValueFactory.fromAnyRef(frequency))
                .withValue("chorus.train.epochs", ConfigValueFactory.fromAnyRef(1))
                .withValue("chorus.train.max-steps", ConfigValueFactory.fromAnyRef(stepsOfRun(frequency)))
                .withValue("chorus.train.output", ConfigValueFactory.fromAnyRef(output))
                .withValue("chorus.train.checkpoint.every-rounds", ConfigValueFactory.fromAnyRef(Integer.MAX_VALUE))
                .withValue("chorus.train.checkpoint.keep", ConfigValueFactory.fromAnyRef(1))
                .withValue("chorus.train.validation.every-rounds", ConfigValueFactory.fromAnyRef(0));
    }

    private long stepsOfRun(int frequency) {
        return (long) settings.warmupRounds() * frequency + settings.steps();
    }

    /** Every run must fit one epoch (WorkerDeal: floor(smallest share / batch) steps): a boundary cuts a round. */
    private void checkOneEpochHoldsEveryRun(long trainSamples, int batch) {
        for (int w : settings.workers()) {
            long stepsPerEpoch = trainSamples / w / batch;
            long need = stepsOfRun(settings.maxFrequency());
            if (need > stepsPerEpoch) {
                throw new IllegalArgumentException("a run needs " + need + " steps per worker (" + settings.warmupRounds()
                        + " warm-up round(s) x " + settings.maxFrequency() + " + " + settings.steps() + " measured) inside"
                        + " one epoch, but " + trainSamples + " training samples dealt to " + w + " workers at batch "
                        + batch + " give " + stepsPerEpoch + " steps per epoch; lower --steps, the batch size"
                        + " (chorus.train.batch-size) or the largest of --workers / --frequencies");
            }
        }
    }

    private PlainBaseline.Result plain(Config config, TrainJob.Plan plan, int cores) {
        TrainOptions options = TrainOptions.fromConfig(runConfig(config, 1, settings.maxFrequency()));
        // The very graph the trainer trains: the same optimizer and schedule length.
        ComputationGraphConfiguration conf = options.optimizer().optimization(options.maxSteps())
                .applyTo(plan.model().configuration().clone());
        WorkerDeal deal = WorkerDeal.of(plan.train(), plan.keyField(), 1, options.batchSize(), options.seed());
        List<Row> rows;
        try {
            rows = deal.orderedShares(0, plan.keyField()).get(0);
        } finally {
            deal.release();
        }
        int warmup = settings.warmupRounds() * settings.maxFrequency();
        log.printf(Locale.ROOT, "plain DL4J fit, no Spark: %d warm-up + %d measured steps at batch %d%n", warmup,
                settings.steps(), options.batchSize());
        return PlainBaseline.measure(conf, plan.batcher(), rows, options.batchSize(), warmup, settings.steps(), cores,
                log);
    }

    private SparkRun spark(SparkSession spark, Config config, TrainJob.Plan plan, int workers, int frequency,
                           PlainBaseline.Result plain, int cores) {
        TrainOptions options = TrainOptions.fromConfig(runConfig(config, workers, frequency));
        String master = spark.sparkContext().master();
        log.printf(Locale.ROOT, "spark %s: %d worker(s), averaging every %d step(s): %d warm-up round(s) + %d measured "
                + "steps per worker%n", master, workers, frequency, settings.warmupRounds(), settings.steps());
        ParameterAveragingTrainer trainer = new ParameterAveragingTrainer(spark, options, plan.model().configuration(),
                plan.model().io(), plan.batcher(), config.getString("chorus.model.name"), COMMAND);
        long start = System.nanoTime();
        ParameterAveragingTrainer.Result result = trainer.train(plan.train(), plan.keyField(), false);
        double total = (System.nanoTime() - start) / 1e9;
        RoundMetrics.Split split = RoundMetrics.read(options.output(), settings.warmupRounds());
        RoundMetrics.Totals m = split.measured();
        if (m.stepsPerWorker() != settings.steps() || m.rounds() != settings.steps() / frequency) {
            throw new IllegalStateException("the run did not train as planned: " + m.rounds() + " measured rounds of "
                    + m.stepsPerWorker() + " steps, expected " + settings.steps() / frequency + " of " + frequency);
        }
        double plainSeconds = m.stepsPerWorker() * plain.seconds() / plain.steps();
        double rate = m.samples() / m.seconds();
        double computePerStep = m.computeSeconds() / m.stepsPerWorker();
        double nonCompute = (m.seconds() - m.computeSeconds()) / plainSeconds;
        double stateCopies = m.rounds() * plain.stateCopyMs() / 1e3;
        SparkRun run = new SparkRun(workers, frequency, master, m.rounds(), m.stepsPerWorker(), m.samples(), m.seconds(),
                rate, rate / cores, m.computeSeconds(), m.broadcastSeconds(), m.aggregateSeconds(), m.otherSeconds(),
                computePerStep * 1e3, plainSeconds, m.seconds() / plainSeconds - 1,
                computePerStep / (plain.seconds() / plain.steps()), nonCompute, plain.samplesPerSecond() / rate - 1,
                stateCopies, nonCompute + stateCopies / plainSeconds, split.warmup().rounds(), split.warmup().seconds(),
                total - split.warmup().seconds() - m.seconds(), total, result.lastLoss(), loadAverage());
        log.printf(Locale.ROOT, "  %.1f samples/s, overhead %+.1f%% (same cores %+.1f%%, parts %+.1f%%)%n",
                run.samplesPerSecond(), 100 * run.overhead(), 100 * run.sameCoresOverhead(), 100 * run.partsOverhead());
        return run;
    }

    private Target target(List<SparkRun> runs) {
        List<TargetCheck> checks = runs.stream().filter(r -> r.averagingFrequency() == TARGET_FREQUENCY)
                .map(r -> new TargetCheck(r.workers(), r.overhead(), r.sameCoresOverhead(), r.partsOverhead(),
                        r.sameCoresOverhead() <= TARGET_MAX_OVERHEAD))
                .toList();
        return checks.isEmpty() ? null : new Target(TARGET_FREQUENCY, TARGET_MAX_OVERHEAD, checks);
    }

    private List<String> notes(int cores) {
        int w = settings.warmupRounds();
        return List.of(
                "Same samples: the plain loop fits the minibatches of a 1-worker run's first epoch, after "
                        + w * settings.maxFrequency() + " warm-up steps (" + w + " warm-up round(s) x the largest F), "
                        + "i.e. exactly the minibatches the 1-worker run at F = " + settings.maxFrequency()
                        + " measures; other runs measure minibatches of the same shapes (speed depends on shapes only).",
                "One-off costs are excluded: the first " + w + " round(s) of every Spark run (Spark jobs that deal and"
                        + " order the data, building the workers' graphs, JIT) and the plain loop's warm-up steps are"
                        + " not timed. Dealing, the off-heap check (one forward/backward on the driver) and the final"
                        + " checkpoint happen outside rounds; they are warmupSeconds and outsideRoundsSeconds.",
                "Times are the trainer's metrics.jsonl: compute = the slowest worker's task time (copy state in,"
                        + " build batches, fit, copy state out), broadcast = driver broadcast of parameters + updater"
                        + " state, aggregate = the rest of the Spark job (launch, partition read, shipping results,"
                        + " tree aggregation), other = driver averaging and applying the result.",
                "overhead = (Spark seconds - plain seconds for the same samples per worker) / plain seconds"
                        + " = (computeSlowdown - 1) + nonComputeOverhead. partsOverhead counts only what Spark adds:"
                        + " nonComputeOverhead + one state copy out and in per worker and round (timed on the plain"
                        + " graph); it is not moved by step-time noise on a loaded machine nor by workers sharing"
                        + " cores, and is the estimate for workers with cores of their own. When overhead and"
                        + " partsOverhead of 1 worker disagree, the difference is compute noise.",
                "This machine has " + cores + " cores: W workers in one machine share them (each task gets"
                        + " chorus.train.threads-per-worker native threads; auto = cores / workers in local mode), so a"
                        + " worker's compute is slower than the plain loop's on all cores, and the per-worker overhead"
                        + " of W > 1 is mostly that sharing, not Spark. Per-core"
                        + " throughput (samples/s / " + cores + ") and sameCoresOverhead (against the plain loop"
                        + " fitting all workers' samples on the same cores) compare like with like; for a cluster"
                        + " (a core set per worker) read partsOverhead.",
                "Target: at F = " + TARGET_FREQUENCY + " the same-cores overhead is at most "
                        + Math.round(100 * TARGET_MAX_OVERHEAD) + "% (for 1 worker it is the overhead itself).");
    }

    static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
