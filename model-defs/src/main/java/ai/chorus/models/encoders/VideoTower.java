package ai.chorus.models.encoders;

import ai.chorus.models.InputShapes;
import ai.chorus.models.ModelConfig;
import ai.chorus.models.blocks.FoldTimeIntoBatchVertex;
import ai.chorus.models.blocks.LayerNorm;
import ai.chorus.models.blocks.LearnedPositions;
import ai.chorus.models.blocks.SequencePooling;
import ai.chorus.models.blocks.UnfoldTimeFromBatchVertex;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;

/**
 * The video encoder (CLIP4Clip's "seqTransf" layout): one ViT shared by all frames, then a transformer over the
 * frames. Input: video [B, T·3, H, W] in [0, 1], channels frame-major (channel t·3 + c is colour c of frame t),
 * graph input type {@code ModelInputs.type("video", shapes)}.
 * <pre>
 *   video --&gt; videoFold [B·T, 3, H, W] --&gt; frame ViT (image.*) --&gt; framePool (class token) --&gt; frameNorm [B·T, w]
 *         --&gt; videoUnfold [B, w, T] --&gt; videoPositions (if video.temporal-positions) --&gt; video.layers blocks
 *         --&gt; videoPool (mean over frames) --&gt; videoNorm --&gt; videoEmbedding [B, embed]
 * </pre>
 * w = {@code image.width}. Without temporal positions every step after the per-frame encoder treats the frames as
 * a set (non-causal attention is permutation-equivariant, the mean is invariant), so the tower cannot tell a clip
 * from the same clip played backwards ("moving left" from "moving right"); {@code video.temporal-positions = false}
 * keeps that order-blind tower for ablations.
 */
public final class VideoTower {
    private VideoTower() {
    }

    /** Adds the tower after the graph input {@code input}; returns {@code videoEmbedding}, [B, embed]. */
    public static String add(GraphBuilder graph, String input, ModelConfig cfg, InputShapes shapes, int embed) {
        shapes.require(shapes.videoFrames() > 0 && shapes.videoSize() > 0, "the model needs video frames");
        int frames = shapes.videoFrames();
        int width = cfg.positiveInt("image.width");
        graph.addVertex("videoFold", new FoldTimeIntoBatchVertex(frames), input);
        String tokens = Towers.imageTokens(graph, "frame", "videoFold", cfg, shapes.videoSize());
        // Each frame becomes one vector, its class token, normalised like CLIP's ln_post.
        graph.addLayer("framePool", new SequencePooling.Builder().mode(SequencePooling.Mode.FIRST).build(), tokens);
        graph.addLayer("frameNorm", new LayerNorm.Builder().nOut(width).build(), "framePool");
        graph.addVertex("videoUnfold", new UnfoldTimeFromBatchVertex(frames), "frameNorm");
        String sequence = "videoUnfold";
        if (cfg.bool("video.temporal-positions")) {
            // The only thing that tells the temporal transformer which frame came first.
            graph.addLayer("videoPositions", new LearnedPositions.Builder().nOut(width).maxLength(frames).build(),
                    sequence);
            sequence = "videoPositions";
        }
        String body = TransformerStack.add(graph, "video", sequence, width, cfg.positiveInt("video.layers"),
                cfg.positiveInt("video.heads"), cfg.positiveDouble("mlp-ratio"), cfg.fraction("dropout"), false);
        return Towers.head(graph, "video", body, SequencePooling.Mode.MEAN_MASKED, width, embed);
    }
}
