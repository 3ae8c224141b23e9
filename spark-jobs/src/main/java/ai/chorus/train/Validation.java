package ai.chorus.train;

import ai.chorus.eval.BlockwiseRanks;
import ai.chorus.eval.Relevance;
import ai.chorus.eval.RetrievalMetrics;
import ai.chorus.models.ModelIO;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.spark.sql.Row;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Validation during training, on the driver: the mean loss over full minibatches of the validation rows, and
 * for a contrastive model Recall@1 both ways between its first two embedded modalities over all those rows
 * (the negatives are every other validation sample, not just the minibatch); for a classifier, accuracy.
 * Rows are few (chorus.train.validation.max-samples), so this is plain Java over collected rows.
 */
final class Validation {
    private final List<Row> rows;
    private final ModelIO io;
    private final Batcher batcher;
    private final int batchSize;

    Validation(List<Row> rows, ModelIO io, Batcher batcher, int batchSize) {
        this.rows = rows;
        this.io = io;
        this.batcher = batcher;
        this.batchSize = Math.min(batchSize, rows.size());
    }

    void evaluate(ComputationGraph graph, ObjectNode into) {
        if (rows.size() < 2) {
            return;
        }
        double loss = 0;
        int batches = 0;
        // Modalities in input order (the embeddings map has no stable order): the first two are compared.
        List<String> embedded = io.inputs().stream().filter(io.embeddings()::containsKey).toList();
        List<INDArray> a = new ArrayList<>();
        List<INDArray> b = new ArrayList<>();
        long correct = 0;
        for (int start = 0; start + batchSize <= rows.size(); start += batchSize) {
            MultiDataSet batch = batcher.batch(rows.subList(start, start + batchSize), 0);
            loss += graph.score(batch, false) - graph.calcRegularizationScore(true); // the loss, not the decay penalty
            graph.clearLayerMaskArrays(); // score() leaves the batch's masks on the graph
            batches++;
            if (ModelIO.CLASS_LABELS.equals(io.labels())) {
                INDArray predicted = graph.output(false, batch.getFeatures(), batch.getFeaturesMaskArrays())[0].argMax(1);
                graph.clearLayerMaskArrays(); // output() leaves the batch's masks on the graph
                INDArray truth = batch.getLabels(0).argMax(1);
                correct += predicted.eq(truth).castTo(org.nd4j.linalg.api.buffer.DataType.INT).sumNumber().longValue();
            } else if (embedded.size() >= 2) {
                Map<String, INDArray> e = Embeddings.of(graph, io, batch);
                a.add(e.get(embedded.get(0)));
                b.add(e.get(embedded.get(1)));
            }
        }
        into.put("val_loss", loss / batches);
        if (ModelIO.CLASS_LABELS.equals(io.labels())) {
            into.put("val_accuracy", (double) correct / ((long) batches * batchSize));
        } else if (!a.isEmpty()) {
            INDArray ea = normalised(Nd4j.vstack(a));
            INDArray eb = normalised(Nd4j.vstack(b));
            into.put("val_" + embedded.get(0) + "_to_" + embedded.get(1) + "_recall@1", recallAt1(ea, eb));
            into.put("val_" + embedded.get(1) + "_to_" + embedded.get(0) + "_recall@1", recallAt1(eb, ea));
        }
    }

    private static INDArray normalised(INDArray e) {
        return e.divColumnVector(e.norm2(1).reshape(e.size(0), 1).addi(1e-12));
    }

    /** Recall@1 of query row i against candidate row i, by the evaluation's own ranking (its tie rule included). */
    private static double recallAt1(INDArray queries, INDArray candidates) {
        int[] own = java.util.stream.IntStream.range(0, (int) queries.rows()).toArray();
        return RetrievalMetrics.recallAt(new BlockwiseRanks().ranks(queries, candidates, new Relevance(own, own)), 1);
    }
}
