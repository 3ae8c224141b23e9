package ai.chorus.train;

import ai.chorus.config.ChorusConfig;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Shared by the trainer tests: Spark sessions, run configurations from the repo's model files, comparisons. */
public final class TrainTestSupport {
    private TrainTestSupport() {
    }

    public static File modelFile(String name) {
        return Path.of(System.getProperty("chorus.repo", "..")).resolve("conf/models/" + name + ".conf").toFile();
    }

    public static SparkSession spark(String master) {
        return SparkSession.builder().master(master).appName("chorus-train-test")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate();
    }

    /** A run of model file {@code model} at size tiny on {@code dataset}, output in {@code out}, plus overrides. */
    public static Config run(String model, String dataset, Path out, String... overrides) {
        List<String> all = new ArrayList<>(List.of("chorus.model.size=tiny",
                "chorus.train.dataset=\"" + dataset + "\"", "chorus.train.output=\"" + out.toUri() + "\"",
                "chorus.train.workers=2", "chorus.train.progress-seconds=60"));
        all.addAll(Arrays.asList(overrides));
        return ChorusConfig.load(List.of(modelFile(model)), all);
    }

    /** SGD at a constant rate, no decay: the setting in which averaging has an exact single-machine equal. */
    static String[] plainSgd(double lr) {
        return new String[] {"chorus.train.optimizer.name=sgd", "chorus.train.optimizer.learning-rate=" + lr,
                "chorus.train.optimizer.warmup-steps=0", "chorus.train.optimizer.schedule=constant",
                "chorus.train.optimizer.weight-decay=0", "chorus.train.averaging-frequency=1"};
    }

    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE).sub(b.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE))
                .amaxNumber().doubleValue();
    }

    static String[] concat(String[] a, String... b) {
        String[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
