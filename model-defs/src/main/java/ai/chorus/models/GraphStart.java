package ai.chorus.models;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.weights.WeightInit;

import java.util.List;

/**
 * How every model builder starts its graph, so that all models share one set of global settings (seed from the
 * model's HOCON, the run's updater and data type, Xavier init, workspaces on) and declare their inputs with the
 * types of {@link ModelInputs}, the convention the data side feeds.
 */
public final class GraphStart {
    private GraphStart() {
    }

    /** A graph over {@code inputs} (names {@link ModelInputs} knows, in {@link ModelIO#inputs()} order). */
    public static GraphBuilder start(ModelConfig cfg, ModelBuilder.Training training, InputShapes shapes,
                                     List<String> inputs) {
        InputType[] types = new InputType[inputs.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = ModelInputs.type(inputs.get(i), shapes);
        }
        return new NeuralNetConfiguration.Builder()
                .seed(cfg.positiveInt("seed"))
                .updater(training.updater())
                .dataType(training.dataType())
                .weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .graphBuilder()
                .addInputs(inputs)
                .setInputTypes(types);
    }
}
