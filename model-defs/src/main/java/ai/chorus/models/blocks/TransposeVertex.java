package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Transposes a square per-minibatch matrix [B, B] (no parameters). Its use: the text-to-image half of the
 * symmetric InfoNCE loss is the cross-entropy of the image-to-text logits' transpose, so a second DL4J
 * {@code LossLayer} placed after this vertex scores it (see {@link ContrastiveHeads}).
 *
 * <p>Only square inputs are accepted: DL4J reads dimension 0 of every activation as the minibatch, so a
 * transposed [B, N] with N != B would silently change the minibatch size of everything downstream.
 * Masks are not propagated (the output carries none).
 */
public class TransposeVertex extends GraphVertex {

    public TransposeVertex() {
    }

    @Override
    public TransposeVertex clone() {
        return new TransposeVertex();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TransposeVertex;
    }

    @Override
    public int hashCode() {
        return TransposeVertex.class.hashCode();
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
                                                                      INDArray paramsView, boolean initializeParams,
                                                                      DataType networkDatatype) {
        return new TransposeVertexImpl(graph, name, idx, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (vertexInputs.length != 1 || vertexInputs[0].getType() != InputType.Type.FF) {
            throw new InvalidInputTypeException("TransposeVertex takes one feed-forward [B, B] input, got "
                    + java.util.Arrays.toString(vertexInputs));
        }
        // Square: the transpose has the same type.
        return vertexInputs[0];
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        return new LayerMemoryReport.Builder(null, TransposeVertex.class, inputTypes[0], inputTypes[0])
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }

    @Override
    public String toString() {
        return "TransposeVertex()";
    }
}
