package ai.chorus.tests;

import ai.chorus.prep.output.DatasetSchema;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Rows of a prepared dataset's {@code samples/} for the learning tests, and the few rewritten rows they feed
 * {@link ai.chorus.train.SampleBatches} (which reads rows by column name, so a rewritten row keeps the schema).
 */
final class DemoRows {
    private DemoRows() {
    }

    /** The samples that {@code query} selects, collected with a short-lived local Spark session. */
    static List<Row> read(Path dataset, String app, UnaryOperator<Dataset<Row>> query) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName(app)
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").getOrCreate();
        try {
            Dataset<Row> samples = spark.read().schema(DatasetSchema.SAMPLES)
                    .parquet(dataset.resolve("samples").toString());
            return new ArrayList<>(query.apply(samples).collectAsList());
        } finally {
            spark.stop();
        }
    }

    /** {@code row} with only its caption {@code caption}: every epoch then shows that one. */
    static Row withCaption(Row row, int caption) {
        return pair(row, row, caption, (String) row.get(index(row, "label")), string(row, "key"));
    }

    /**
     * The image (and every other column) of {@code image} with the caption {@code caption} of {@code text}
     * ({@code -1}: all of them), the label {@code label} and the key {@code key}: an image–caption pair that the
     * dataset does not hold.
     */
    static Row pair(Row image, Row text, int caption, String label, String key) {
        Object[] values = new Object[image.length()];
        for (int i = 0; i < values.length; i++) {
            values[i] = image.get(i);
        }
        for (String column : List.of("captions", "token_ids", "token_lengths")) {
            Object all = text.get(index(text, column));
            values[index(image, column)] = caption < 0 ? all : List.of(element(all, caption));
        }
        values[index(image, "label")] = label;
        values[index(image, "key")] = key;
        return new GenericRowWithSchema(values, image.schema());
    }

    static String string(Row row, String column) {
        return row.getString(index(row, column));
    }

    /** Elements of an array column. */
    static int count(Row row, String column) {
        Object array = row.get(index(row, column));
        return array instanceof scala.collection.Seq<?> seq ? seq.length() : ((List<?>) array).size();
    }

    private static int index(Row row, String column) {
        return row.schema().fieldIndex(column);
    }

    private static Object element(Object array, int i) {
        return array instanceof scala.collection.Seq<?> seq ? seq.apply(i) : ((List<?>) array).get(i);
    }
}
