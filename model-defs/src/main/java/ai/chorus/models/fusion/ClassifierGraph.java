package ai.chorus.models.fusion;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.ModelIO;
import ai.chorus.models.encoders.ClassifierHead;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

import java.util.List;
import java.util.Map;

/**
 * The end shared by the image–text classifiers of this package (which start their graph with
 * {@link ai.chorus.models.GraphStart} over {@code image} and/or {@code text}, in that order): the
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

    /** Adds the classifier after {@code features} and describes the model. */
    static ModelBuilder.BuiltModel finish(GraphBuilder graph, ModelConfig cfg, InputShapes shapes,
                                          List<String> inputs, Features features) {
        String out = ClassifierHead.add(graph, features.vertex(), features.width(), cfg, shapes.numClasses());
        graph.setOutputs(out);
        ModelIO io = new ModelIO(List.copyOf(inputs), List.of(out), ModelIO.CLASS_LABELS, features.embeddings());
        return new ModelBuilder.BuiltModel(graph.build(), io);
    }
}
