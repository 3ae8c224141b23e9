package ai.chorus.embed;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * The embeddings' data contract ({@code <eval>/embeddings/<split>/}, Parquet): one row per sample and modality, and for text
 * one row per caption. Embeddings are the model's raw outputs (not normalised), float32.
 */
public final class EmbeddingRows {
    public static final String KEY = "key";
    public static final String SPLIT = "split";
    public static final String LABEL = "label";
    public static final String MODALITY = "modality";
    /** Which caption of the sample (0-based) for text; -1 for every other modality. */
    public static final String CAPTION = "caption";
    /** The caption itself for text; null otherwise. */
    public static final String TEXT = "text";
    public static final String EMBEDDING = "embedding";

    public static final StructType SCHEMA = DataTypes.createStructType(new StructField[] {
            DataTypes.createStructField(KEY, DataTypes.StringType, false),
            DataTypes.createStructField(SPLIT, DataTypes.StringType, true),
            DataTypes.createStructField(LABEL, DataTypes.StringType, true),
            DataTypes.createStructField(MODALITY, DataTypes.StringType, false),
            DataTypes.createStructField(CAPTION, DataTypes.IntegerType, false),
            DataTypes.createStructField(TEXT, DataTypes.StringType, true),
            DataTypes.createStructField(EMBEDDING, DataTypes.createArrayType(DataTypes.FloatType, false), false)});

    private EmbeddingRows() {
    }

    /** The embedding in column {@code field} of {@code row} as a float array. */
    public static float[] vector(Row row, int field) {
        List<Float> e = row.getList(field);
        float[] v = new float[e.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = e.get(i);
        }
        return v;
    }
}
