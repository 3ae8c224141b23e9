package ai.chorus.train;

import org.apache.spark.sql.Row;
import org.nd4j.linalg.dataset.api.MultiDataSet;

import java.io.Serializable;
import java.util.List;

/** Turns one minibatch of dataset rows into a model's inputs and labels; {@code epoch} varies the caption choice. */
@FunctionalInterface
public interface Batcher extends Serializable {
    MultiDataSet batch(List<Row> rows, int epoch);
}
