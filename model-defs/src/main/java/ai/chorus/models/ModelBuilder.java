package ai.chorus.models;

import com.typesafe.config.Config;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.IUpdater;

/**
 * Builds one family of models from its HOCON description ({@code chorus.model}, a file in
 * {@code conf/models/}) and the shapes of the data it will see. Registered with
 * {@code META-INF/services/ai.chorus.models.ModelBuilder}: a new model is one builder plus one HOCON file.
 */
public interface ModelBuilder {
    /** The {@code chorus.model.builder} value that selects this builder. */
    String name();

    /** The graph, its inputs in order, and the vertices that give each modality's embedding. */
    BuiltModel build(Config model, InputShapes shapes, Training training);

    /**
     * What the graph needs from whoever trains it: the optimizer (the trainer's, or NoOp for a gradient
     * check) and the data type (float32 to train, double for gradient checks).
     */
    record Training(IUpdater updater, DataType dataType) {
        public static Training defaults() {
            return new Training(new Adam(1e-3), DataType.FLOAT);
        }
    }

    record BuiltModel(ComputationGraphConfiguration configuration, ModelIO io) {
    }
}
