package ai.chorus.models.blocks;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;

/**
 * Base of the parameter-free, one-input vertices that move video frames between the time axis and the
 * minibatch ({@link FoldTimeIntoBatchVertex}, {@link UnfoldTimeFromBatchVertex}): both are defined by the
 * number of frames T alone.
 */
public abstract class FrameCountVertex extends GraphVertex {
    protected int numFrames;

    /** For JSON. */
    protected FrameCountVertex() {
    }

    protected FrameCountVertex(int numFrames) {
        if (numFrames <= 0) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": numFrames must be positive, got "
                    + numFrames);
        }
        this.numFrames = numFrames;
    }

    public int getNumFrames() {
        return numFrames;
    }

    public void setNumFrames(int numFrames) {
        this.numFrames = numFrames;
    }

    @Override
    public boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && ((FrameCountVertex) o).numFrames == numFrames;
    }

    @Override
    public int hashCode() {
        return 31 * getClass().hashCode() + numFrames;
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

    /** A pure reshape: no memory of its own. */
    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        InputType out = getOutputType(-1, inputTypes);
        return new LayerMemoryReport.Builder(null, getClass(), inputTypes[0], out)
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(numFrames=" + numFrames + ")";
    }
}
