package ai.chorus.models.blocks;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.Axpy;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.same.Cube;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid;
import org.nd4j.linalg.factory.Nd4j;

/**
 * GELU, tanh approximation, as PyTorch's {@code nn.GELU(approximate='tanh')}:
 * {@code 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))}, computed as the identical {@code x * sigmoid(z)} with
 * {@code z = 2 sqrt(2/pi) (x + 0.044715 x^3)} (one sigmoid instead of a tanh: ND4J's tanh was ~2x slower), in
 * 5 element-wise ops forward and 7 backward.
 * It differs from the exact erf GELU by at most 4.8e-4.
 *
 * <p>Not ND4J's built-ins: M2.1's {@code GELU} is the sigmoid approximation {@code x * sigmoid(1.702 x)} and its
 * {@code PreciseGELU} does not match the tanh formula (e.g. -0.0247 instead of -0.0036 at x = -3).
 */
public final class GeluOps {

    private static final double K = Math.sqrt(2.0 / Math.PI);
    private static final double C3 = 0.044715;

    private GeluOps() {
    }

    /**
     * @param x   pre-activation [N, F] (read only; keep it for backward)
     * @param y   out: gelu(x) [N, F]
     * @param sig out: sigmoid(z) [N, F] (keep it for backward)
     */
    public static void forward(INDArray x, INDArray y, INDArray sig) {
        Nd4j.exec(new Cube(x, sig));
        Nd4j.exec(new Axpy(sig, x, sig, C3));                    // x + C3 x^3
        Nd4j.exec(new ScalarMultiplication(sig, null, sig, 2 * K)); // z
        Nd4j.exec(new Sigmoid(sig, sig));
        Nd4j.exec(new MulOp(x, sig, y));
    }

    /**
     * {@code dx = dy * (s + x z' s (1 - s))} with {@code s = sigmoid(z)}, {@code x z' = 2K (x + 3 C3 x^3)}.
     *
     * @param x   pre-activation from forward
     * @param sig sigmoid(z) from forward
     * @param dy  gradient of the output
     * @param dx  out; may alias dy
     */
    public static void backward(INDArray x, INDArray sig, INDArray dy, INDArray dx, LayerWorkspaceMgr ws,
                                ArrayType scratch) {
        long[] shape = x.shape();
        INDArray t = ws.createUninitialized(scratch, x.dataType(), shape, 'c');
        INDArray u = ws.createUninitialized(scratch, x.dataType(), shape, 'c');
        Nd4j.exec(new Cube(x, t));
        Nd4j.exec(new Axpy(t, x, t, 3 * C3));                        // x z' / 2K
        Nd4j.exec(new ScalarReverseSubtraction(sig, null, u, 1.0));  // 1 - s
        Nd4j.exec(new MulOp(u, sig, u));
        Nd4j.exec(new MulOp(u, t, u));
        Nd4j.exec(new Axpy(u, sig, u, 2 * K));                       // s + x z' s (1 - s)
        Nd4j.exec(new MulOp(dy, u, dx));
    }
}
