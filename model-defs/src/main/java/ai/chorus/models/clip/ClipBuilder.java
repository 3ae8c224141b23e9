package ai.chorus.models.clip;

import ai.chorus.models.GraphStart;
import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.ModelIO;
import ai.chorus.models.blocks.ContrastiveHeads;
import ai.chorus.models.blocks.ContrastiveLogitsVertex;
import ai.chorus.models.encoders.ContrastiveLogits;
import ai.chorus.models.encoders.Towers;
import com.typesafe.config.Config;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

import java.util.List;
import java.util.Map;

/**
 * CLIP: an image tower and a text tower projected into one space, trained with symmetric InfoNCE
 * against a learnable temperature. ALIGN is this builder with ALIGN's settings ({@code conf/models/align.conf}).
 * Inputs: {@code image} [B, 3, H, W] floats in [0, 1] (normalised by the data side), {@code text} token ids
 * [B, 1, T] with a [B, T] padding mask. Labels: the identity matrix, twice.
 */
public final class ClipBuilder implements ModelBuilder {
    @Override
    public String name() {
        return "clip";
    }

    @Override
    public BuiltModel build(Config model, InputShapes shapes, Training training) {
        ModelConfig cfg = new ModelConfig(model);
        int embed = cfg.positiveInt("embed");
        List<String> inputs = List.of("image", "text");
        ComputationGraphConfiguration.GraphBuilder graph = GraphStart.start(cfg, training, shapes, inputs);
        String image = Towers.image(graph, "image", cfg, shapes, embed);
        String text = Towers.text(graph, "text", cfg, shapes, embed);
        ContrastiveLogitsVertex logits = ContrastiveLogits.of(cfg);
        ContrastiveHeads.Names heads = ContrastiveHeads.addSymmetricInfoNce(graph, image, text, "", logits);
        graph.setOutputs(heads.outputs());
        ModelIO io = new ModelIO(inputs, List.of(heads.outputs()), ModelIO.IDENTITY_LABELS,
                Map.of("image", image, "text", text));
        return new BuiltModel(graph.build(), io);
    }
}
