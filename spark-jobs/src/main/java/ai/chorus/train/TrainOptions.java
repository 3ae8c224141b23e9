package ai.chorus.train;

import ai.chorus.config.ConfigValues;
import ai.chorus.models.training.Optimization;
import ai.chorus.models.training.WarmupCosineSchedule;
import com.typesafe.config.Config;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.schedule.ISchedule;

import java.io.Serializable;

/** Everything `chorus train` needs, read and validated from {@code chorus.train} before any work starts. */
public record TrainOptions(String dataset, String output, String split, int workers, int batchSize,
                           int averagingFrequency, int aggregationDepth, int epochs, long maxSteps, long seed,
                           OptimizerOptions optimizer, int checkpointEveryRounds, int checkpointsKept,
                           int validationEveryRounds, String validationSplit, int validationMaxSamples,
                           long offHeapLimitBytes, double progressSeconds, int threadsPerWorker)
        implements Serializable {

    public enum OptimizerName { ADAM, ADAMW, SGD }

    public enum ScheduleKind { COSINE, CONSTANT }

    public record OptimizerOptions(OptimizerName name, double learningRate, double beta1, double beta2,
                                   double epsilon, double momentum, double weightDecay, int warmupSteps,
                                   ScheduleKind schedule, double finalFraction, double gradientClipping)
            implements Serializable {

        /** The DL4J optimisation for a run of {@code totalSteps} optimizer steps per worker. */
        public Optimization optimization(long totalSteps) {
            ISchedule lr = new WarmupCosineSchedule(learningRate, warmupSteps, (int) Math.max(1, totalSteps),
                    finalFraction, schedule == ScheduleKind.COSINE);
            IUpdater updater = switch (name) {
                case ADAM, ADAMW -> Adam.builder().learningRateSchedule(lr).beta1(beta1).beta2(beta2).epsilon(epsilon).build();
                case SGD -> momentum > 0 ? new Nesterovs(lr, momentum) : new Sgd(lr);
            };
            double decay = name == OptimizerName.ADAM ? 0 : weightDecay;
            return new Optimization(updater, decay, gradientClipping);
        }
    }

    public static TrainOptions fromConfig(Config c) {
        String p = "chorus.train.";
        String o = p + "optimizer.";
        OptimizerOptions optimizer = new OptimizerOptions(
                ConfigValues.oneOf(c, o + "name", OptimizerName.class, e -> e.name().toLowerCase()),
                ConfigValues.positiveDouble(c, o + "learning-rate"),
                ConfigValues.doubleBetween(c, o + "beta1", 0, 0.999999),
                ConfigValues.doubleBetween(c, o + "beta2", 0, 0.999999),
                ConfigValues.positiveDouble(c, o + "epsilon"),
                ConfigValues.doubleBetween(c, o + "momentum", 0, 0.999999),
                ConfigValues.doubleBetween(c, o + "weight-decay", 0, 10),
                ConfigValues.intAtLeast(c, o + "warmup-steps", 0),
                ConfigValues.oneOf(c, o + "schedule", ScheduleKind.class, e -> e.name().toLowerCase()),
                ConfigValues.doubleBetween(c, o + "final-fraction", 0, 1),
                ConfigValues.doubleBetween(c, o + "gradient-clipping", 0, Double.MAX_VALUE));
        int epochs = ConfigValues.intAtLeast(c, p + "epochs", 1);
        return new TrainOptions(
                ConfigValues.requiredString(c, p + "dataset", "the folder of a dataset written by `chorus prepare`"),
                ConfigValues.requiredString(c, p + "output", "the run folder for checkpoints and metrics"),
                ConfigValues.requiredString(c, p + "split", "a split name such as train"),
                ConfigValues.intBetween(c, p + "workers", 1, 100_000),
                ConfigValues.intAtLeast(c, p + "batch-size", 2),
                ConfigValues.intAtLeast(c, p + "averaging-frequency", 1),
                ConfigValues.intBetween(c, p + "aggregation-depth", 1, 10),
                epochs,
                ConfigValues.longAtLeast(c, p + "max-steps", 0),
                c.getLong(p + "seed"),
                optimizer,
                ConfigValues.intAtLeast(c, p + "checkpoint.every-rounds", 1),
                ConfigValues.intAtLeast(c, p + "checkpoint.keep", 1),
                ConfigValues.intAtLeast(c, p + "validation.every-rounds", 0),
                ConfigValues.requiredString(c, p + "validation.split", "a split name such as val"),
                ConfigValues.intAtLeast(c, p + "validation.max-samples", 1),
                ConfigValues.longAtLeast(c, p + "off-heap-limit-bytes", 0),
                ConfigValues.positiveDouble(c, p + "progress-seconds"),
                // 0 = auto, resolved on the driver (TaskThreads) where the master and spark.task.cpus are known.
                ConfigValues.intBetween(c, p + "threads-per-worker", 0, 1024));
    }
}
