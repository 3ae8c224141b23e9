package ai.chorus.models.blocks;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared helpers of the attention block tests. */
final class AttentionTestSupport {

    private AttentionTestSupport() {
    }

    private static int savedThreads = -1;
    private static int savedMasterThreads = -1;

    /**
     * The tests use tiny arrays, for which a second ND4J thread only adds waiting: on a loaded 2-core machine a tiny
     * graph's forward pass took 60-90 ms with 2 threads and 4 ms with 1. Call from @BeforeAll, undo in @AfterAll.
     */
    static void useOneNd4jThread() {
        savedThreads = Nd4j.getEnvironment().maxThreads();
        savedMasterThreads = Nd4j.getEnvironment().maxMasterThreads();
        Nd4j.getEnvironment().setMaxThreads(1);
        Nd4j.getEnvironment().setMaxMasterThreads(1);
    }

    static void restoreNd4jThreads() {
        if (savedThreads > 0) {
            Nd4j.getEnvironment().setMaxThreads(savedThreads);
            Nd4j.getEnvironment().setMaxMasterThreads(savedMasterThreads);
        }
    }

    /** Numerical gradient check of every parameter (double graph, NoOp updater, no dropout). */
    static void assertGradientsOk(ComputationGraph graph, INDArray[] inputs, INDArray[] inputMasks, INDArray[] labels,
                                  INDArray[] labelMasks) {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                    .inputs(inputs).inputMask(inputMasks).labels(labels).labelMask(labelMasks)
                    .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
            assertTrue(ok, "gradient check failed (see the test log for the failing parameters)");
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    /** Gaussian [shape] array in the given type, from a seeded java.util.Random (independent of ND4J's RNG). */
    static INDArray gaussian(Random r, DataType dt, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        double[] d = new double[(int) n];
        for (int i = 0; i < d.length; i++) {
            d[i] = r.nextGaussian();
        }
        return Nd4j.create(d, shape, DataType.DOUBLE).castTo(dt);
    }

    /** A [B, T] 1/0 mask with {@code lengths[b]} leading real positions. */
    static INDArray lengthsMask(DataType dt, long t, int... lengths) {
        INDArray m = Nd4j.zeros(dt, lengths.length, t);
        for (int b = 0; b < lengths.length; b++) {
            for (int i = 0; i < lengths[b]; i++) {
                m.putScalar(b, i, 1.0);
            }
        }
        return m;
    }

    /** Bit-identical: same shape and the same values (compared as doubles, after a c-order copy). */
    static void assertBitIdentical(INDArray a, INDArray b, String what) {
        assertArrayEquals(a.shape(), b.shape(), what + ": shapes");
        double[] x = a.dup('c').data().asDouble();
        double[] y = b.dup('c').data().asDouble();
        assertTrue(Arrays.equals(x, y), what + ": values differ, max |diff| = " + a.sub(b).amaxNumber());
    }

    /** ModelSerializer write + restore; parameters and outputs bit-identical. */
    static ComputationGraph assertSerializerRoundTrip(ComputationGraph graph, INDArray[] inputs, INDArray[] masks)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(graph, bytes, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()),
                true);
        assertEquals(graph.getConfiguration(), back.getConfiguration());
        assertBitIdentical(graph.params(), back.params(), "parameters");
        INDArray state = graph.getUpdater().getStateViewArray();
        if (state != null) {
            assertBitIdentical(state, back.getUpdater().getStateViewArray(), "updater state");
        }
        INDArray[] a = graph.output(false, inputs, masks);
        INDArray[] b = back.output(false, inputs, masks);
        for (int i = 0; i < a.length; i++) {
            assertBitIdentical(a[i], b[i], "output " + i + " after restore");
        }
        return back;
    }
}
