package ai.chorus.models.audioclip;

import ai.chorus.models.GraphStart;
import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelBuilder;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.ModelIO;
import ai.chorus.models.blocks.ContrastiveHeads;
import ai.chorus.models.blocks.ContrastiveLogitsVertex;
import ai.chorus.models.encoders.AudioTower;
import ai.chorus.models.encoders.ContrastiveLogits;
import ai.chorus.models.encoders.Towers;
import com.typesafe.config.Config;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * AudioCLIP (Guzhov et al. 2022): CLIP's image and text towers plus an audio tower ({@link AudioTower}), one shared
 * space, and the three pairwise symmetric InfoNCE losses (image–text, audio–text, audio–image), each with its own
 * learnable temperature, averaged: the score is the mean of the three CLIP losses.
 *
 * <p>Samples may lack modalities (few recorded descriptions have speech): inputs {@code image} [B, 3, H, W],
 * {@code text} [B, 1, T] with its [B, T] mask, {@code audio} [B, 1, nMels, frames], then {@code imagePresent},
 * {@code textPresent}, {@code audioPresent} [B, 1] of 1/0 ({@link ModelIO#presenceInput}); a missing modality's
 * input is zeros. A sample is neither a query nor a negative in the pairs that involve its missing modality, and
 * each pair's loss is the mean over the samples that have both (0 if fewer than 2 in the minibatch). Labels: the
 * identity matrix for each of the six outputs, in the order of {@link ModelIO#outputs()}; no label masks.
 */
public final class AudioClipBuilder implements ModelBuilder {
    static final String IMAGE = "image";
    static final String TEXT = "text";
    static final String AUDIO = "audio";

    /** The three pairs, as (A, B): A-to-B and B-to-A outputs are named {@code <A><B>-lossAtoB} etc. */
    static final List<List<String>> PAIRS = List.of(List.of(IMAGE, TEXT), List.of(AUDIO, TEXT), List.of(AUDIO, IMAGE));

    @Override
    public String name() {
        return "audioclip";
    }

    @Override
    public BuiltModel build(Config model, InputShapes shapes, Training training) {
        ModelConfig cfg = new ModelConfig(model);
        int embed = cfg.positiveInt("embed");
        List<String> inputs = List.of(IMAGE, TEXT, AUDIO, ModelIO.presenceInput(IMAGE), ModelIO.presenceInput(TEXT),
                ModelIO.presenceInput(AUDIO));
        ComputationGraphConfiguration.GraphBuilder graph = GraphStart.start(cfg, training, shapes, inputs);
        Map<String, String> embeddings = Map.of(
                IMAGE, Towers.image(graph, IMAGE, cfg, shapes, embed),
                TEXT, Towers.text(graph, TEXT, cfg, shapes, embed),
                AUDIO, AudioTower.add(graph, AUDIO, cfg, shapes, embed));
        List<String> outputs = new ArrayList<>();
        for (List<String> pair : PAIRS) {
            String a = pair.get(0);
            String b = pair.get(1);
            ContrastiveLogitsVertex logits = ContrastiveLogits.of(cfg);
            ContrastiveHeads.Names heads = ContrastiveHeads.addMaskedSymmetricInfoNce(graph, embeddings.get(a),
                    embeddings.get(b), a + capitalised(b) + "-", logits, 1.0 / PAIRS.size(), ModelIO.presenceInput(a),
                    ModelIO.presenceInput(b));
            outputs.addAll(List.of(heads.outputs()));
        }
        graph.setOutputs(outputs.toArray(new String[0]));
        return new BuiltModel(graph.build(), new ModelIO(inputs, outputs, ModelIO.IDENTITY_LABELS, embeddings));
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
