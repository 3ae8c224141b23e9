package ai.chorus.bench;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;

/**
 * The matrix-multiply peak of this machine as ND4J reaches it: float32 {@code Nd4j.gemm} on square n³ products
 * (the call Chorus' blocks make), best of a few. Model throughput is reported as a share of it, which compares
 * across machines where milliseconds do not.
 */
public final class GemmPeak {
    private GemmPeak() {
    }

    /** The best of {@code repeats} timed products of size n (2 n³ FLOPs each). */
    public record Size(int n, double bestSeconds, double gflops) {
    }

    /** The measured sizes and the best rate among them. */
    public record Result(int repeats, List<Size> sizes, double peakGflops) {
    }

    public static Result measure(List<Integer> sizes, int repeats) {
        if (sizes.isEmpty() || repeats < 1) {
            throw new IllegalArgumentException("need at least one GEMM size and one repeat");
        }
        List<Size> results = new ArrayList<>();
        double peak = 0;
        for (int n : sizes) {
            if (n < 1) {
                throw new IllegalArgumentException("GEMM size must be positive, got " + n);
            }
            INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
            INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
            INDArray c = Nd4j.create(DataType.FLOAT, n, n);
            double best = Double.MAX_VALUE;
            for (int i = 0; i < repeats; i++) {
                long t = System.nanoTime();
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
                best = Math.min(best, (System.nanoTime() - t) / 1e9);
            }
            double gflops = 2.0 * n * n * (double) n / best / 1e9;
            results.add(new Size(n, best, gflops));
            peak = Math.max(peak, gflops);
            a.close();
            b.close();
            c.close();
        }
        return new Result(repeats, List.copyOf(results), peak);
    }
}
