package ai.chorus.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Row-wise L2 normalisation (similarity = dot product) and random unit embeddings for tests and benchmarks. */
public final class UnitRows {
    private UnitRows() {
    }

    /** A new float32 array whose rows are those of {@code e} scaled to unit length (a zero row stays zero). */
    public static INDArray normalized(INDArray e) {
        INDArray f = e.castTo(DataType.FLOAT).dup('c');
        INDArray norms = f.norm2(1).reshape(f.rows(), 1).addi(1e-12);
        return f.diviColumnVector(norms);
    }

    /** n Gaussian directions in d dimensions, reproducible from the seed. */
    public static INDArray random(long n, long d, long seed) {
        Nd4j.getRandom().setSeed(seed);
        return normalized(Nd4j.randn(DataType.FLOAT, n, d));
    }
}
