package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.RNNFormat;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;

/**
 * Concatenates sequences of one width along time (no parameters; runtime: {@link SequenceConcatVertexImpl}):
 * inputs [B, C, T1], [B, C, T2], ... give [B, C, T1 + T2 + ...], in input order. Early fusion uses it to put
 * image tokens and text tokens into one sequence for a joint transformer.
 *
 * <p><b>Masks.</b> The output mask is the concatenation of the input masks, where an input without a mask counts
 * as all real (e.g. image patches next to padded text: [1 ... 1, text mask]). Without any input mask the output
 * has none. DL4J's own {@code MergeVertex} cannot do this: it merges channels by default, and with a
 * {@code mergeAxis} of 2 it still drops every mask as soon as one input has none, so padded text tokens would be
 * attended to.
 *
 * <p><b>Lengths.</b> Masks are propagated before any activation is seen, so the time length of an input without a
 * mask must be known from the configuration: {@code lengths} (one per input; {@code -1} = unknown) is taken from
 * the graph's input types when not set, and an input of unknown length must come with a mask.
 */
public class SequenceConcatVertex extends GraphVertex {

    private long[] lengths;

    /** For JSON; use {@link #builder()}. */
    public SequenceConcatVertex() {
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The time length of input {@code i} as configured or inferred, or -1 if unknown. */
    long length(int i) {
        return lengths == null || i >= lengths.length ? -1 : lengths[i];
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return Integer.MAX_VALUE;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new SequenceConcatVertexImpl(graph, name, idx, this, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length < 2) {
            throw new InvalidInputTypeException("SequenceConcatVertex needs at least 2 sequences, got "
                    + vertexInputs.length);
        }
        if (lengths != null && lengths.length != vertexInputs.length) {
            throw new InvalidInputTypeException("SequenceConcatVertex was configured with " + lengths.length
                    + " lengths " + Arrays.toString(lengths) + " but has " + vertexInputs.length + " inputs");
        }
        long width = -1;
        long[] inferred = new long[vertexInputs.length];
        long total = 0;
        for (int i = 0; i < vertexInputs.length; i++) {
            InputType t = vertexInputs[i];
            if (t.getType() != InputType.Type.RNN) {
                throw new InvalidInputTypeException("SequenceConcatVertex: input " + i
                        + " must be a sequence [B, C, T] (InputType.recurrent), got " + t);
            }
            InputType.InputTypeRecurrent r = (InputType.InputTypeRecurrent) t;
            if (r.getFormat() != null && r.getFormat() != RNNFormat.NCW) {
                throw new InvalidInputTypeException("SequenceConcatVertex: input " + i + " must be NCW, got "
                        + r.getFormat());
            }
            if (width < 0) {
                width = r.getSize();
            } else if (r.getSize() != width) {
                throw new InvalidInputTypeException("SequenceConcatVertex joins sequences of one width along time; "
                        + "input 0 has " + width + " channels, input " + i + " has " + r.getSize()
                        + " (project them to one width first)");
            }
            long t0 = r.getTimeSeriesLength() > 0 ? r.getTimeSeriesLength() : -1;
            long configured = length(i);
            if (configured > 0 && t0 > 0 && configured != t0) {
                throw new InvalidInputTypeException("SequenceConcatVertex: input " + i + " was configured with length "
                        + configured + " but its type has " + t0);
            }
            inferred[i] = configured > 0 ? configured : t0;
            total = total < 0 || inferred[i] < 0 ? -1 : total + inferred[i];
        }
        lengths = inferred;
        return InputType.recurrent(width, total, RNNFormat.NCW);
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, SequenceConcatVertex.class, inputTypes[0], out)
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }

    @Override
    public SequenceConcatVertex clone() {
        SequenceConcatVertex c = new SequenceConcatVertex();
        c.lengths = lengths == null ? null : lengths.clone();
        return c;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SequenceConcatVertex && Arrays.equals(lengths, ((SequenceConcatVertex) o).lengths);
    }

    @Override
    public int hashCode() {
        return 31 * SequenceConcatVertex.class.hashCode() + Arrays.hashCode(lengths);
    }

    @Override
    public String toString() {
        return "SequenceConcatVertex(lengths=" + Arrays.toString(lengths) + ")";
    }

    public long[] getLengths() {
        return lengths == null ? null : lengths.clone();
    }

    public void setLengths(long[] lengths) {
        this.lengths = lengths == null ? null : lengths.clone();
    }

    /** Builder; lengths are optional (inferred from the graph's input types). */
    public static final class Builder {
        private long[] lengths;

        /**
         * The time length of each input, in input order ({@code -1}: unknown, the input must then carry a mask).
         * Needed only when the graph's input types do not give them.
         */
        public Builder lengths(long... lengths) {
            for (long l : lengths) {
                if (l == 0 || l < -1) {
                    throw new IllegalArgumentException("lengths must be positive or -1 (unknown), got "
                            + Arrays.toString(lengths));
                }
            }
            this.lengths = lengths.clone();
            return this;
        }

        public SequenceConcatVertex build() {
            SequenceConcatVertex v = new SequenceConcatVertex();
            v.lengths = lengths == null ? null : lengths.clone();
            return v;
        }
    }
}
