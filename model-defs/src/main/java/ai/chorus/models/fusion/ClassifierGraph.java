package ai.chorus.models.fusion;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.ModelIO;
import ai.chorus.models.ModelInputs;
import ai.chorus.models.encoders.ClassifierHead;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.weights.WeightInit;

import java.util.List;
import java.util.Map;

/**
 * The frame shared by the image–text classifiers of this package: a graph with the inputs a model reads
 * ({@code image} [B, 3, H, W], {@code text} [B, 1, T] with a [B, T] mask, in that order), and at the end the
 * {@link ClassifierHead} on whatever representation the model built, with its {@link ModelIO}.
 */
final class ClassifierGraph {
    static final String IMAGE = "image";
    static final String TEXT = "text";
    /** The {@link ModelIO#embeddings()} key of the representation that fuses both modalities. */
    static final String FUSED = "fused";

    private ClassifierGraph() {
    }

    /** What a model hands the classifier: a vertex [B, width], and the embeddings evaluation may read. */
    record Features(String vertex, int width, Map<String, String> embeddings) {
    }

    /** A graph over {@code inputs} (a subset of image, text, in that order), settings from the model's HOCON. */
    static GraphBuilder start(ModelConfig cfg, ModelBuilder.Training training, InputShapes shapes,
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

    /** Adds the classifier after {@code features} and describes the model. */
    static ModelBuilder.BuiltModel finish(GraphBuilder graph, ModelConfig cfg, InputShapes shapes,
                                          List<String> inputs, Features features) {
        String out = ClassifierHead.add(graph, features.vertex(), features.width(), cfg, shapes.numClasses());
        graph.setOutputs(out);
        ModelIO io = new ModelIO(List.copyOf(inputs), List.of(out), ModelIO.CLASS_LABELS, features.embeddings());
        return new ModelBuilder.BuiltModel(graph.build(), io);
    }
}
