package ai.chorus.models.blocks;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.random.impl.BernoulliDistribution;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inverted dropout on a residual branch, PyTorch convention: {@code p} is the probability of ZEROING an element
 * (DL4J's {@code dropOut(x)} takes the retain probability instead). The mask, already scaled by 1/(1-p), is
 * kept from forward for backward: {@code y = branch * mask}, {@code dbranch = dy * mask}.
 */
public final class ResidualDropout {

    private ResidualDropout() {
    }

    /** Throws unless {@code 0 <= p < 1}. */
    public static void validate(double p) {
        if (!(p >= 0.0 && p < 1.0)) {
            throw new IllegalArgumentException("dropout is the probability of zeroing (PyTorch convention) and must "
                    + "be in [0, 1), got " + p);
        }
    }

    /** A scaled Bernoulli mask (values 0 or 1/(1-p)) in the workspace of {@code type}. */
    public static INDArray sampleMask(double p, DataType dt, long[] shape, LayerWorkspaceMgr ws, ArrayType type) {
        INDArray mask = ws.createUninitialized(type, dt, shape, 'c');
        Nd4j.getExecutioner().exec(new BernoulliDistribution(mask, 1.0 - p), Nd4j.getRandom());
        Nd4j.exec(new ScalarMultiplication(mask, null, mask, 1.0 / (1.0 - p)));
        return mask;
    }
}
