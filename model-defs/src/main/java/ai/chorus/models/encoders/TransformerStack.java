package ai.chorus.models.encoders;

import ai.chorus.models.blocks.TransformerEncoderLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

/** {@code layers} pre-LN transformer blocks of one width in a row: the body of every tower. */
public final class TransformerStack {
    private TransformerStack() {
    }

    /** Adds the blocks after {@code input}; returns the name of the last one. */
    public static String add(GraphBuilder graph, String prefix, String input, int width, int layers, int heads,
                             double mlpRatio, double dropout, boolean causal) {
        String previous = input;
        for (int i = 0; i < layers; i++) {
            String name = prefix + "Block" + i;
            graph.addLayer(name, new TransformerEncoderLayer.Builder().nIn(width).nHeads(heads).mlpRatio(mlpRatio)
                    .dropout(dropout).causal(causal).build(), previous);
            previous = name;
        }
        return previous;
    }
}
