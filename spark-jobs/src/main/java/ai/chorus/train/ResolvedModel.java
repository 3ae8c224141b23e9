package ai.chorus.train;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelIO;
import ai.chorus.models.ModelRegistry;
import ai.chorus.models.encoders.AudioTower;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;

import java.util.List;

/**
 * A model file ({@code chorus.model}) resolved against a dataset: the shapes it is built for (the dataset's, audio
 * frames cut to the model's patch multiple), its class list when it classifies, the built configuration and its
 * inputs and outputs. Training builds the model this way, and so does everything that reads a trained one back.
 */
public record ResolvedModel(ModelBuilder.BuiltModel built, InputShapes shapes, List<String> classes) {

    /** Configuration only (no parameters are allocated); the optimizer is the trainer's business and left out. */
    public static ResolvedModel resolve(SparkSession spark, Config config, String dataset) {
        if (!config.hasPath("chorus.model.builder")) {
            throw new IllegalArgumentException("no model: chorus.model is not set; pass a model file, e.g. -c conf/models/clip.conf");
        }
        Config model = config.getConfig("chorus.model");
        DatasetShapes shapes = DatasetShapes.read(dataset, spark.sparkContext().hadoopConfiguration());
        ModelBuilder.Training training = new ModelBuilder.Training(new NoOp(), DataType.FLOAT);
        // A first build (cheap) says whether the model classifies; only then are the classes counted (a Spark job).
        ModelBuilder.BuiltModel built = ModelRegistry.build(config, AudioTower.fitted(model, shapes.shapes(2)), training);
        List<String> classes = ModelIO.CLASS_LABELS.equals(built.io().labels())
                ? DatasetShapes.trainClasses(spark, dataset) : List.of();
        InputShapes fitted = AudioTower.fitted(model, shapes.shapes(classes.size()));
        return new ResolvedModel(ModelRegistry.build(config, fitted, training), fitted, classes);
    }

    public ModelIO io() {
        return built.io();
    }
}
