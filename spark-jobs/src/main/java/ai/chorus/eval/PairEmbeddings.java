package ai.chorus.eval;

import ai.chorus.embed.EmbeddingRows;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;

/**
 * Two modalities' embeddings of the same samples, read from {@link EmbeddingRows} and lined up for retrieval:
 * {@code ones} has one row per sample (in key order), {@code many} one or more rows per sample (captions, in key
 * and caption order) with {@code oneOfMany} pointing at the sample's row. Only samples with both modalities take
 * part. Rows are unit length (similarity = dot product). Rows are streamed into float buffers on the driver, never
 * held as Spark rows all at once.
 */
public record PairEmbeddings(String oneModality, String manyModality, List<String> oneKeys, List<String> manyKeys,
                             List<String> manyTexts, INDArray ones, INDArray many, int[] oneOfMany) {

    public static PairEmbeddings load(Dataset<Row> embeddings, String oneModality, String manyModality) {
        Side one = Side.read(embeddings, oneModality);
        Side many = Side.read(embeddings, manyModality);
        Set<String> withMany = new HashSet<>(many.keys);
        // Keep the samples that have both modalities, renumbered densely.
        List<Integer> keptOnes = new ArrayList<>();
        Map<String, Integer> kept = new LinkedHashMap<>();
        for (int i = 0; i < one.keys.size(); i++) {
            if (withMany.contains(one.keys.get(i))) {
                kept.put(one.keys.get(i), keptOnes.size());
                keptOnes.add(i);
            }
        }
        List<Integer> keptMany = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int j = 0; j < many.keys.size(); j++) {
            Integer o = kept.get(many.keys.get(j));
            if (o != null) {
                keptMany.add(j);
                owner.add(o);
            }
        }
        if (keptOnes.isEmpty()) {
            throw new IllegalArgumentException("no sample has both " + oneModality + " and " + manyModality
                    + " embeddings: nothing to evaluate for the pair " + manyModality + "-" + oneModality);
        }
        return new PairEmbeddings(oneModality, manyModality, pick(one.keys, keptOnes), pick(many.keys, keptMany),
                pick(many.texts, keptMany), UnitRows.normalized(one.rows(keptOnes)), UnitRows.normalized(many.rows(keptMany)),
                owner.stream().mapToInt(Integer::intValue).toArray());
    }

    private static <T> List<T> pick(List<T> all, List<Integer> indices) {
        List<T> out = new ArrayList<>(indices.size());
        for (int i : indices) {
            out.add(all.get(i));
        }
        return out;
    }

    /** One modality's rows in (key, caption) order. */
    private static final class Side {
        final List<String> keys = new ArrayList<>();
        final List<String> texts = new ArrayList<>();
        final List<float[]> vectors = new ArrayList<>();

        static Side read(Dataset<Row> embeddings, String modality) {
            Side side = new Side();
            Iterator<Row> rows = embeddings.filter(col(EmbeddingRows.MODALITY).equalTo(modality))
                    .select(EmbeddingRows.KEY, EmbeddingRows.TEXT, EmbeddingRows.EMBEDDING)
                    .orderBy(EmbeddingRows.KEY, EmbeddingRows.CAPTION).toLocalIterator();
            while (rows.hasNext()) {
                Row r = rows.next();
                side.keys.add(r.getString(0));
                side.texts.add(r.isNullAt(1) ? null : r.getString(1));
                side.vectors.add(EmbeddingRows.vector(r, 2));
            }
            if (side.keys.isEmpty()) {
                throw new IllegalArgumentException("the embeddings have no " + modality + " rows (does the model embed "
                        + modality + ", and does the split have it?)");
            }
            return side;
        }

        INDArray rows(List<Integer> indices) {
            int d = vectors.get(0).length;
            float[] flat = new float[indices.size() * d];
            for (int i = 0; i < indices.size(); i++) {
                System.arraycopy(vectors.get(indices.get(i)), 0, flat, i * d, d);
            }
            return Nd4j.create(flat, new long[] {indices.size(), d}, 'c');
        }
    }
}
