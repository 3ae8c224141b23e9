package ai.chorus.models.blocks;

import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shared checks for the embedding, pooling and video-reshaping block tests. */
final class EmbeddingBlocksTestSupport {

    private EmbeddingBlocksTestSupport() {
    }

    private static DataType savedDefault = DataType.FLOAT;
    private static DataType savedFloatingPoint = DataType.FLOAT;

    /** Gradient checks need double as the ND4J default; call in @BeforeEach, undo with {@link #restoreFloat}. */
    static void useDouble() {
        savedDefault = Nd4j.dataType();
        savedFloatingPoint = Nd4j.defaultFloatingPointType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    }

    /** Restores the defaults {@link #useDouble} replaced (float32 in a fresh JVM). */
    static void restoreFloat() {
        Nd4j.setDefaultDataTypes(savedDefault, savedFloatingPoint);
    }

    /** Numerical gradient check of every parameter (double, NoOp updater expected in the graph). */
    static void assertGradientsOk(ComputationGraph graph, INDArray[] inputs, INDArray[] inputMasks, INDArray[] labels) {
        boolean ok = GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(graph).inputs(inputs)
                .inputMask(inputMasks).labels(labels).epsilon(1e-6).maxRelError(1e-3).minAbsoluteError(1e-8)
                .print(GradientCheckUtil.PrintMode.FAILURES_ONLY).exitOnFirstError(false));
        assertTrue(ok, "gradient check failed (see log for the failing parameters)");
    }

    /** toJson/fromJson gives an equal configuration that serialises to the same JSON. */
    static ComputationGraphConfiguration assertJsonRoundTrip(ComputationGraphConfiguration conf) {
        String json = conf.toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, back);
        assertEquals(json, back.toJson());
        return back;
    }

    /** ModelSerializer write + restore; the restored graph gives bit-identical outputs. */
    static ComputationGraph assertSerializerRoundTrip(ComputationGraph graph, INDArray[] inputs, INDArray[] masks)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(graph, bytes, true);
        ComputationGraph back = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()),
                true);
        assertEquals(graph.getConfiguration(), back.getConfiguration());
        assertEquals(graph.params(), back.params());
        INDArray[] a = graph.output(false, inputs, masks);
        INDArray[] b = back.output(false, inputs, masks);
        for (int i = 0; i < a.length; i++) {
            assertEquals(a[i], b[i], "output " + i + " differs after restore");
        }
        return back;
    }

    /** A [B, T] 1/0 mask with the given number of real (leading) positions per sample. */
    static INDArray lengthsMask(DataType dt, int t, int... lengths) {
        INDArray m = Nd4j.zeros(dt, lengths.length, t);
        for (int b = 0; b < lengths.length; b++) {
            for (int i = 0; i < lengths[b]; i++) {
                m.putScalar(b, i, 1.0);
            }
        }
        return m;
    }
}
