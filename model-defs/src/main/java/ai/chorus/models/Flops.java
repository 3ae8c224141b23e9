package ai.chorus.models;

import ai.chorus.models.blocks.ContrastiveLogitsVertex;
import ai.chorus.models.blocks.CrossAttentionVertex;
import ai.chorus.models.blocks.FoldTimeIntoBatchVertex;
import ai.chorus.models.blocks.GatedFusionVertex;
import ai.chorus.models.blocks.LayerNorm;
import ai.chorus.models.blocks.LearnedPositions;
import ai.chorus.models.blocks.PatchEmbedding;
import ai.chorus.models.blocks.SequenceConcatVertex;
import ai.chorus.models.blocks.SequencePooling;
import ai.chorus.models.blocks.TokenEmbedding;
import ai.chorus.models.blocks.TransformerEncoderLayer;
import ai.chorus.models.blocks.TransposeVertex;
import ai.chorus.models.blocks.UnfoldTimeFromBatchVertex;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.L2NormalizeVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FLOPs of a model's forward pass and training step, counted from layer shapes (no arrays are allocated).
 *
 * <p><b>Conventions</b> (those of PyTorch's {@code torch.utils.flop_counter}, so numbers compare with PyTorch):
 * <ul>
 *   <li>One multiply-add is 2 FLOPs. Only matrix-multiply work is counted: projections, the patch projection,
 *       attention scores QK^T and AV, MLPs, cross-attention, the contrastive logits, the fusion gate. LayerNorm,
 *       softmax, GELU, residual adds, pooling, embedding look-ups and losses count 0.</li>
 *   <li>Causal attention is counted in full (T² scores): that is what the kernels compute.</li>
 *   <li>A training step is {@value #TRAINING_MULTIPLIER} × forward: the backward pass of a matmul is two matmuls
 *       of the same size (gradient of the input, gradient of the weights).</li>
 * </ul>
 * PyTorch's counter on CPU reports less for the same model: it counts 0 for CPU {@code scaled_dot_product_attention}
 * (pytorch/pytorch#195460) and skips the input gradient of the first layer (the images need none); see
 * {@link Count#attentionScores()} to reproduce its number.
 *
 * <p>Every layer and vertex type must have a formula here: an unknown type is an error, never a silent 0.
 */
public final class Flops {
    /** Training step FLOPs per forward FLOP: forward + backward (2 × forward). */
    public static final int TRAINING_MULTIPLIER = 3;

    /** Layer types without matmul work (element-wise, normalisation, look-up, pooling, loss). */
    private static final Set<Class<?>> NO_MATMUL_LAYERS = Set.of(TokenEmbedding.class, LearnedPositions.class,
            SequencePooling.class, LayerNorm.class, LossLayer.class, ActivationLayer.class, DropoutLayer.class,
            GlobalPoolingLayer.class, org.deeplearning4j.nn.conf.layers.SubsamplingLayer.class);
    /** Vertex types that move or combine data without matmul work and keep the minibatch. */
    private static final Set<Class<?>> NO_MATMUL_VERTICES = Set.of(TransposeVertex.class, SequenceConcatVertex.class,
            MergeVertex.class, ElementWiseVertex.class, SubsetVertex.class, ScaleVertex.class,
            L2NormalizeVertex.class);

    private Flops() {
    }

    /** One vertex's forward FLOPs for the whole minibatch, and the part spent on attention scores (QK^T, AV). */
    public record Vertex(String name, String type, long forward, long attention) {
    }

    /** The count for one minibatch of {@code batch} examples, vertex by vertex in topological order. */
    public record Count(long batch, List<Vertex> vertices) {
        public long forward() {
            return vertices.stream().mapToLong(Vertex::forward).sum();
        }

        /** Forward FLOPs of attention scores and their weighted sums (QK^T, AV), included in {@link #forward()}. */
        public long attentionScores() {
            return vertices.stream().mapToLong(Vertex::attention).sum();
        }

        /** FLOPs of one training step (forward + backward) on the minibatch. */
        public long training() {
            return TRAINING_MULTIPLIER * forward();
        }

        public double trainingPerSample() {
            return training() / (double) batch;
        }

        public Vertex vertex(String name) {
            return vertices.stream().filter(v -> v.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no vertex '" + name + "'"));
        }
    }

    /** Counts a built model fed data of {@code shapes} (input types per {@link ModelInputs}). */
    public static Count of(ModelBuilder.BuiltModel model, InputShapes shapes, long batch) {
        Map<String, InputType> types = new LinkedHashMap<>();
        for (String input : model.io().inputs()) {
            types.put(input, ModelInputs.type(input, shapes));
        }
        return of(model.configuration(), types, batch);
    }

    public static Count of(ComputationGraph graph, Map<String, InputType> inputTypes, long batch) {
        return of(graph.getConfiguration(), inputTypes, batch);
    }

    /** Counts {@code conf} for a minibatch of {@code batch} examples with these graph input types (by input name). */
    public static Count of(ComputationGraphConfiguration conf, Map<String, InputType> inputTypes, long batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        // Type inference sets nIn and preprocessors on the layers it visits: keep the caller's configuration as it is.
        ComputationGraphConfiguration c = conf.clone();
        List<String> inputs = c.getNetworkInputs();
        InputType[] types = new InputType[inputs.size()];
        for (int i = 0; i < types.length; i++) {
            types[i] = inputTypes.get(inputs.get(i));
            if (types[i] == null) {
                throw new IllegalArgumentException("no input type for graph input '" + inputs.get(i) + "'; given: "
                        + inputTypes.keySet());
            }
        }
        Map<String, InputType> outputs = c.getLayerActivationTypes(true, false, types);
        // Rows of each activation per minibatch: B, or B·T after FoldTimeIntoBatchVertex.
        Map<String, Long> rows = new HashMap<>();
        List<Vertex> counted = new ArrayList<>();
        for (String name : outputs.keySet()) {
            if (inputs.contains(name)) {
                rows.put(name, batch);
                continue;
            }
            GraphVertex vertex = c.getVertices().get(name);
            List<String> from = c.getVertexInputs().get(name);
            InputType[] in = new InputType[from.size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = outputs.get(from.get(i));
            }
            long r = rows.get(from.get(0));
            Macs m = vertex instanceof LayerVertex lv ? layer(name, lv, in[0], r) : vertex(name, vertex, in, r);
            rows.put(name, m.rowsOut);
            String type = vertex instanceof LayerVertex lv ? lv.getLayerConf().getLayer().getClass().getSimpleName()
                    : vertex.getClass().getSimpleName();
            counted.add(new Vertex(name, type, 2 * m.total, 2 * m.attention));
        }
        return new Count(batch, List.copyOf(counted));
    }

    /** Multiply-adds of a vertex over the minibatch, the attention-score part of them, and the rows it outputs. */
    private record Macs(long total, long attention, long rowsOut) {
        static Macs none(long rows) {
            return new Macs(0, 0, rows);
        }
    }

    private static Macs layer(String name, LayerVertex vertex, InputType raw, long rows) {
        InputPreProcessor pre = vertex.getPreProcessor();
        InputType x = pre == null ? raw : pre.getOutputType(raw);
        if (raw.getType() == InputType.Type.FF && x.getType() == InputType.Type.RNN) {
            throw new IllegalArgumentException(name + ": a preprocessor from vectors back to sequences is not counted "
                    + "by Flops (its minibatch rows are unknown here)");
        }
        // A preprocessor from sequences to vectors (e.g. before a DenseLayer) folds time into the minibatch.
        long tokens = raw.getType() == InputType.Type.RNN && x.getType() == InputType.Type.FF ? length(name, raw) : 1;
        Layer layer = vertex.getLayerConf().getLayer();
        if (layer instanceof TimeDistributed td) {
            // The wrapped layer sees every time step as an example.
            long t = length(name, x);
            Macs inner = feedForward(name, td.getUnderlying(), InputType.feedForward(recurrentSize(name, x)), rows * t);
            return new Macs(inner.total, inner.attention, rows);
        }
        return feedForward(name, layer, x, rows * tokens);
    }

    /** Formulas per layer type, for {@code rows} examples of input type {@code x} (after any preprocessor). */
    private static Macs feedForward(String name, Layer layer, InputType x, long rows) {
        Class<?> type = layer.getClass();
        if (NO_MATMUL_LAYERS.contains(type)) {
            return Macs.none(rows);
        }
        if (type == DenseLayer.class || type == OutputLayer.class) {
            var ff = (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) layer;
            return new Macs(rows * ff.getNIn() * ff.getNOut(), 0, rows);
        }
        if (type == PatchEmbedding.class) {
            PatchEmbedding p = (PatchEmbedding) layer;
            if (!(x instanceof InputType.InputTypeConvolutional conv)) {
                throw new IllegalArgumentException(name + ": PatchEmbedding expects an image input type, got " + x);
            }
            long size = p.getPatchSize();
            long patches = (conv.getHeight() / size) * (conv.getWidth() / size);
            // One [N, Cin·P·P] × [Cin·P·P, C] projection per example; class token and positions are adds.
            return new Macs(rows * patches * conv.getChannels() * size * size * p.getNOut(), 0, rows);
        }
        if (type == org.deeplearning4j.nn.conf.layers.ConvolutionLayer.class) {
            var c = (org.deeplearning4j.nn.conf.layers.ConvolutionLayer) layer;
            var out = (InputType.InputTypeConvolutional) c.getOutputType(-1, x);
            long[] k = {c.getKernelSize()[0], c.getKernelSize()[1]};
            // Every output position: a [Cin·kh·kw] × [Cin·kh·kw, Cout] product.
            return new Macs(rows * out.getHeight() * out.getWidth() * c.getNIn() * k[0] * k[1] * c.getNOut(), 0, rows);
        }
        if (type == TransformerEncoderLayer.class) {
            TransformerEncoderLayer t = (TransformerEncoderLayer) layer;
            long c = recurrentSize(name, x);
            long len = length(name, x);
            long f = Math.round(t.getMlpRatio() * c);
            // Q, K, V and output projections (4 C²), MLP up and down (2 C F) per token; QK^T and AV (T² C each).
            long attention = 2 * len * len * c;
            return new Macs(rows * (len * (4 * c * c + 2 * c * f) + attention), rows * attention, rows);
        }
        throw unknown(name, type);
    }

    private static Macs vertex(String name, GraphVertex vertex, InputType[] in, long rows) {
        Class<?> type = vertex.getClass();
        if (NO_MATMUL_VERTICES.contains(type)) {
            return Macs.none(rows);
        }
        if (type == FoldTimeIntoBatchVertex.class) {
            return Macs.none(rows * ((FoldTimeIntoBatchVertex) vertex).getNumFrames());
        }
        if (type == UnfoldTimeFromBatchVertex.class) {
            int frames = ((UnfoldTimeFromBatchVertex) vertex).getNumFrames();
            if (rows % frames != 0) {
                throw new IllegalArgumentException(name + ": " + rows + " rows are not a multiple of " + frames
                        + " frames: is there a FoldTimeIntoBatchVertex before it?");
            }
            return Macs.none(rows / frames);
        }
        if (type == ContrastiveLogitsVertex.class) {
            // [B, D] × [D, B]: every pair of the minibatch.
            return new Macs(rows * rows * feedForwardSize(name, in[0]), 0, rows);
        }
        if (type == GatedFusionVertex.class) {
            long d = feedForwardSize(name, in[0]);
            // [a ; attended] [B, 2D] × W [2D, D].
            return new Macs(rows * 2 * d * d, 0, rows);
        }
        if (type == CrossAttentionVertex.class) {
            long cq = recurrentSize(name, in[0]);
            long tq = length(name, in[0]);
            long ckv = recurrentSize(name, in[1]);
            long tk = length(name, in[1]);
            // Q and output projections on the queries, K and V on the keys/values, then QK^T and AV.
            long attention = 2 * tq * tk * cq;
            return new Macs(rows * (2 * tq * cq * cq + 2 * tk * ckv * cq + attention), rows * attention, rows);
        }
        throw unknown(name, type);
    }

    private static IllegalArgumentException unknown(String name, Class<?> type) {
        return new IllegalArgumentException("Flops: no FLOP formula for " + type.getName() + " (vertex '" + name
                + "'); add one to ai.chorus.models.Flops rather than counting it as 0");
    }

    private static long recurrentSize(String name, InputType t) {
        if (!(t instanceof InputType.InputTypeRecurrent r)) {
            throw new IllegalArgumentException(name + ": expected a sequence input type, got " + t);
        }
        return r.getSize();
    }

    private static long length(String name, InputType t) {
        if (!(t instanceof InputType.InputTypeRecurrent r) || r.getTimeSeriesLength() <= 0) {
            throw new IllegalArgumentException(name + ": FLOPs need a sequence of known length, got " + t);
        }
        return r.getTimeSeriesLength();
    }

    private static long feedForwardSize(String name, InputType t) {
        if (!(t instanceof InputType.InputTypeFeedForward ff)) {
            throw new IllegalArgumentException(name + ": expected a vector input type, got " + t);
        }
        return ff.getSize();
    }
}
