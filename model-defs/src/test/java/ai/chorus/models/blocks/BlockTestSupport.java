package ai.chorus.models.blocks;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every model-defs test needs: double precision for gradient checks, the gradient check itself,
 * masks, seeded random arrays, JSON and ModelSerializer round trips. (ND4J runs single-threaded in
 * these tests: Surefire sets OMP_NUM_THREADS=1 for model-defs.)
 */
public final class BlockTestSupport {

    private BlockTestSupport() {
    }

    private static DataType savedDefault = DataType.FLOAT;
    private static DataType savedFloatingPoint = DataType.FLOAT;

    /** Gradient checks need double as the ND4J default; call in @BeforeEach, undo with {@link #restoreFloat}. */
    public static void useDouble() {
        savedDefault = Nd4j.dataType();
        savedFloatingPoint = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** Restores the defaults {@link #useDouble} replaced (float32 in a fresh JVM). */
    public static void restoreFloat() {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloatingPoint);
    }

    /**
     * Every test of a class in double precision ({@code @ExtendWith(BlockTestSupport.DoublePrecision.class)}): the
     * {@link #useDouble}/{@link #restoreFloat} pair around each test, written once instead of in every such class.
     */
    public static final class DoublePrecision implements BeforeEachCallback, AfterEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) {
            useDouble();
        }

        @Override
        public void afterEach(ExtensionContext context) {
            restoreFloat();
        }
    }

    /** What a test runs in double precision with {@link #inDouble}. */
    @FunctionalInterface
    public interface DoubleBody {
        void run() throws Exception;
    }

    /** One test of a class whose other tests run in float: {@code body} in double, the defaults restored after. */
    public static void inDouble(DoubleBody body) throws Exception {
        useDouble();
        try {
            body.run();
        } finally {
            restoreFloat();
        }
    }

    public static void assertGradientsOk(ComputationGraph graph, INDArray[] inputs, INDArray[] inputMasks,
                                         INDArray[] labels) {
        assertGradientsOk(graph, inputs, inputMasks, labels, null);
    }

    public static void assertGradientsOk(ComputationGraph graph, INDArray[] inputs, INDArray[] inputMasks,
                                         INDArray[] labels, INDArray[] labelMasks) {
        assertGradientsOk(graph, inputs, inputMasks, labels, labelMasks, 0);
    }

    /**
     * Numerical gradient check (double graph, NoOp updater, no dropout) of every parameter, or, with
     * {@code maxPerParam > 0}, of that many entries spread over each parameter array (for whole models).
     */
    public static void assertGradientsOk(ComputationGraph graph, INDArray[] inputs, INDArray[] inputMasks,
                                         INDArray[] labels, INDArray[] labelMasks, int maxPerParam) {
        DataType before = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            if (maxPerParam > 0) {
                // GradientCheckUtil's graph check ignores subset/maxPerParam in M2.1 (only its network check honours
                // them) and would check every entry: minutes for a whole model.
                GraphSubsetGradientCheck.assertOk(graph, inputs, inputMasks, labels, labelMasks, maxPerParam);
                return;
            }
            boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph)
                    .inputs(inputs).inputMask(inputMasks).labels(labels).labelMask(labelMasks)
                    .epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                    .subset(maxPerParam > 0).maxPerParam(maxPerParam)
                    .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
            assertTrue(ok, "gradient check failed (see the test log for the failing parameters)");
        } finally {
            Nd4j.setDefaultDataTypes(before, before);
        }
    }

    /** Gaussian [shape] array in the given type, from a seeded java.util.Random (independent of ND4J's RNG). */
    public static INDArray gaussian(Random r, DataType dt, long... shape) {
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
    public static INDArray lengthsMask(DataType dt, long t, int... lengths) {
        INDArray m = Nd4j.zeros(dt, lengths.length, t);
        for (int b = 0; b < lengths.length; b++) {
            for (int i = 0; i < lengths[b]; i++) {
                m.putScalar(b, i, 1.0);
            }
        }
        return m;
    }

    /** Bit-identical: same shape and the same values (compared as doubles, after a c-order copy). */
    public static void assertBitIdentical(INDArray a, INDArray b, String what) {
        assertArrayEquals(a.shape(), b.shape(), what + ": shapes");
        double[] x = a.dup('c').data().asDouble();
        double[] y = b.dup('c').data().asDouble();
        assertTrue(Arrays.equals(x, y), what + ": values differ, max |diff| = " + a.sub(b).amaxNumber());
    }

    /** toJson/fromJson gives an equal configuration that serialises to the same JSON. */
    public static ComputationGraphConfiguration assertJsonRoundTrip(ComputationGraphConfiguration conf) {
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        return back;
    }

    /**
     * What every model's round-trip test checks, in one place: the configuration survives JSON, then after one
     * training step on {@code data} (so that the updater state has to survive too, and the step gives a finite
     * score) the model survives ModelSerializer bit for bit on {@code data}'s features and masks.
     */
    public static void assertRoundTripsAfterOneStep(ComputationGraph graph, MultiDataSet data) throws IOException {
        assertJsonRoundTrip(graph.getConfiguration());
        graph.fit(data);
        assertTrue(Double.isFinite(graph.score()), "score after one step: " + graph.score());
        assertSerializerRoundTrip(graph, data.getFeatures(), data.getFeaturesMaskArrays());
    }

    /** ModelSerializer write + restore; parameters and outputs bit-identical. */
    public static ComputationGraph assertSerializerRoundTrip(ComputationGraph graph, INDArray[] inputs, INDArray[] masks)
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
