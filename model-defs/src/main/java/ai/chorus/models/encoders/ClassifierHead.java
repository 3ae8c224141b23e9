package ai.chorus.models.encoders;

import ai.chorus.models.ModelConfig;
import ai.chorus.models.blocks.LayerNorm;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.dropout.Dropout;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The classifier every classification model ends with, so that a fusion model and its single-modality baselines
 * differ only below it: LayerNorm of the features [B, width], one hidden layer ({@code classifier.hidden}, GELU),
 * dropout ({@code dropout}), and a softmax output trained with cross-entropy against one-hot labels
 * [B, numClasses], named {@value #OUTPUT}.
 */
public final class ClassifierHead {
    /** The output vertex: class probabilities [B, numClasses]. */
    public static final String OUTPUT = "classes";

    private ClassifierHead() {
    }

    /** Adds {@code classifierNorm}, {@code classifierHidden} and {@value #OUTPUT} after {@code features}. */
    public static String add(GraphBuilder graph, String features, int width, ModelConfig cfg, int numClasses) {
        if (numClasses < 2) {
            throw new IllegalArgumentException("the data does not fit this model: a classifier needs at least 2 "
                    + "classes (InputShapes.numClasses), got " + numClasses);
        }
        int hidden = cfg.positiveInt("classifier.hidden");
        double dropout = cfg.fraction("dropout");
        graph.addLayer("classifierNorm", new LayerNorm.Builder().nOut(width).build(), features);
        graph.addLayer("classifierHidden", new DenseLayer.Builder().nIn(width).nOut(hidden)
                .activation(Activation.GELU).build(), "classifierNorm");
        OutputLayer.Builder out = new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(hidden)
                .nOut(numClasses).activation(Activation.SOFTMAX);
        if (dropout > 0) {
            // DL4J's Dropout takes the probability of KEEPING an activation.
            out.dropOut(new Dropout(1 - dropout));
        }
        graph.addLayer(OUTPUT, out.build(), "classifierHidden");
        return OUTPUT;
    }
}
