package ai.chorus.train;

import ai.chorus.prep.output.DatasetSchema;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed, checked reads of one {@code samples/} row (schema: {@link DatasetSchema#SAMPLES}) by column name. Every
 * failure is a {@link SampleFieldException} naming the row's key and the column. Rows may carry any subset of the
 * columns in any order (a {@code select}); a row without a schema ({@code RowFactory.create}) is taken to be in
 * {@code SAMPLES} order. Array columns are read whatever Spark or the caller put in them: a Scala {@code Seq} (rows
 * read from Parquet), a {@code java.util.List} or a Java array (rows built by hand).
 */
final class SampleRow {
    static final String KEY = "key";

    /** Column name to position, for one schema (shared by the rows of a batch). */
    static final class Columns {
        private final StructType schema;
        private final Map<String, Integer> index = new HashMap<>();

        private Columns(StructType schema) {
            this.schema = schema;
            String[] names = schema.fieldNames();
            for (int i = 0; i < names.length; i++) {
                index.put(names[i], i);
            }
        }

        /** The columns of {@code row}, reusing {@code previous} when the row has the same schema. */
        static Columns of(Row row, Columns previous) {
            StructType s = row.schema() != null ? row.schema() : DatasetSchema.SAMPLES;
            return previous != null && (previous.schema == s || previous.schema.equals(s)) ? previous : new Columns(s);
        }

        int index(String field) {
            return index.getOrDefault(field, -1);
        }
    }

    private final Row row;
    private final Columns columns;
    private final String key;

    SampleRow(Row row, Columns columns) {
        this.row = row;
        this.columns = columns;
        int k = columns.index(KEY);
        this.key = k < 0 || row.isNullAt(k) ? "(no key)" : row.getString(k);
    }

    String key() {
        return key;
    }

    /** Whether the row has a value in the column; the column itself must exist. */
    boolean has(String field) {
        return !row.isNullAt(column(field));
    }

    SampleFieldException bad(String field, String problem) {
        return new SampleFieldException(key, field, problem);
    }

    byte[] bytes(String field) {
        return (byte[]) required(field);
    }

    int integer(String field) {
        return ((Number) required(field)).intValue();
    }

    String string(String field) {
        return (String) required(field);
    }

    /** Elements of an array column. */
    int count(String field) {
        return length(required(field));
    }

    /** Element {@code i} of an {@code array<int>} column. */
    int intAt(String field, int i) {
        Object element = element(required(field), i);
        if (element == null) {
            throw bad(field, "element " + i + " is null");
        }
        return ((Number) element).intValue();
    }

    /** Element {@code i} of an {@code array<array<int>>} column, copied into {@code dst} at {@code offset}. */
    void intsAt(String field, int i, float[] dst, int offset, int expectedLength) {
        Object inner = element(required(field), i);
        if (inner == null) {
            throw bad(field, "element " + i + " is null");
        }
        int n = length(inner);
        if (n != expectedLength) {
            throw bad(field + "[" + i + "]", "has " + n + " values, the model expects " + expectedLength);
        }
        if (inner instanceof int[] ints) {
            for (int j = 0; j < n; j++) {
                dst[offset + j] = ints[j];
            }
            return;
        }
        for (int j = 0; j < n; j++) {
            Object v = element(inner, j);
            if (v == null) {
                throw bad(field + "[" + i + "]", "value " + j + " is null");
            }
            dst[offset + j] = ((Number) v).intValue();
        }
    }

    private int column(String field) {
        int i = columns.index(field);
        if (i < 0) {
            throw bad(field, "the rows have no such column (read or select it with the samples)");
        }
        return i;
    }

    private Object required(String field) {
        int i = column(field);
        if (row.isNullAt(i)) {
            throw bad(field, "is null");
        }
        return row.get(i);
    }

    private static int length(Object array) {
        if (array instanceof scala.collection.Seq<?> seq) {
            return seq.length();
        }
        if (array instanceof List<?> list) {
            return list.size();
        }
        return java.lang.reflect.Array.getLength(array);
    }

    private static Object element(Object array, int i) {
        if (array instanceof scala.collection.Seq<?> seq) {
            return seq.apply(i);
        }
        if (array instanceof List<?> list) {
            return list.get(i);
        }
        return java.lang.reflect.Array.get(array, i);
    }
}
