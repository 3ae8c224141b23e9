package ai.chorus.models.videoclip;

import ai.chorus.models.GraphStart;
import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.ModelIO;
import ai.chorus.models.blocks.ContrastiveHeads;
import ai.chorus.models.blocks.ContrastiveLogitsVertex;
import ai.chorus.models.encoders.ContrastiveLogits;
import ai.chorus.models.encoders.Towers;
import ai.chorus.models.encoders.VideoTower;
import com.typesafe.config.Config;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

import java.util.List;
import java.util.Map;

/**
 * Video–text CLIP: a video tower ({@link VideoTower}: a ViT shared by the frames, then a temporal transformer) and
 * CLIP's text tower in one space, trained with symmetric InfoNCE against a learnable temperature.
 * Inputs: {@code video} [B, T·3, H, W] floats in [0, 1], channels frame-major; {@code text} token ids [B, 1, T]
 * with a [B, T] padding mask. Labels: the identity matrix, twice. Settings: {@code conf/models/videoclip.conf}.
 */
public final class VideoClipBuilder implements ModelBuilder {
    @Override
    public String name() {
        return "videoclip";
    }

    @Override
    public BuiltModel build(Config model, InputShapes shapes, Training training) {
        ModelConfig cfg = new ModelConfig(model);
        int embed = cfg.positiveInt("embed");
        List<String> inputs = List.of("video", "text");
        ComputationGraphConfiguration.GraphBuilder graph = GraphStart.start(cfg, training, shapes, inputs);
        String video = VideoTower.add(graph, "video", cfg, shapes, embed);
        String text = Towers.text(graph, "text", cfg, shapes, embed);
        ContrastiveLogitsVertex logits = ContrastiveLogits.of(cfg);
        ContrastiveHeads.Names heads = ContrastiveHeads.addSymmetricInfoNce(graph, video, text, "", logits);
        graph.setOutputs(heads.outputs());
        ModelIO io = new ModelIO(inputs, List.of(heads.outputs()), ModelIO.IDENTITY_LABELS,
                Map.of("video", video, "text", text));
        return new BuiltModel(graph.build(), io);
    }
}
