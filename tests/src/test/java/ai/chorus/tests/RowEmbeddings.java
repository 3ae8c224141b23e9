package ai.chorus.tests;

import ai.chorus.models.ModelIO;
import ai.chorus.train.Embeddings;
import ai.chorus.train.SampleBatches;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The learning tests' retrieval side: each modality's unit-length embeddings of many rows, and their cosines. */
final class RowEmbeddings {
    private RowEmbeddings() {
    }

    /**
     * Modality to [rows, D] unit rows, in row order, through {@link Embeddings} (the batches' masks) in minibatches
     * of {@code batch}; text as epoch 0 of {@code batches} shows it.
     */
    static Map<String, INDArray> of(ComputationGraph graph, ModelIO io, SampleBatches batches, List<Row> rows,
                                    int batch) {
        Map<String, List<INDArray>> parts = new LinkedHashMap<>();
        for (int from = 0; from < rows.size(); from += batch) {
            Embeddings.of(graph, io, batches.batch(rows.subList(from, Math.min(rows.size(), from + batch)), 0))
                    .forEach((modality, e) -> parts.computeIfAbsent(modality, m -> new ArrayList<>()).add(e));
        }
        Map<String, INDArray> unit = new LinkedHashMap<>();
        parts.forEach((modality, list) -> {
            INDArray all = Nd4j.vstack(list.toArray(new INDArray[0]));
            unit.put(modality, all.divColumnVector(all.norm2(1).reshape(all.size(0), 1)));
        });
        return unit;
    }

    /** Cosine of every row of {@code a} with every row of {@code b} (both unit rows). */
    static double[][] cosines(INDArray a, INDArray b) {
        return a.mmul(b.transpose()).toDoubleMatrix();
    }
}
