package ai.chorus.eval;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Ranks on Spark: queries are partitioned, candidates and relevance broadcast, every partition ranks its queries
 * blockwise ({@link BlockwiseRanks}) and returns O(its queries) ranks; the driver only assembles them. Each row is
 * still one product against all candidates, so the ranks equal those of the plain engine.
 */
public final class SparkRetrieval implements RankEngine {
    private final JavaSparkContext spark;
    private final int partitions;
    private final long blockBytes;

    public SparkRetrieval(JavaSparkContext spark, int partitions, long blockBytes) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive, got " + partitions);
        }
        this.spark = spark;
        this.partitions = partitions;
        this.blockBytes = blockBytes;
    }

    /** Rows of a matrix as a plain array, the form Spark ships (INDArrays are not serialisable across JVMs). */
    public record Rows(float[] data, int rows, int dim) implements Serializable {
        public static Rows of(INDArray a) {
            INDArray f = a.castTo(DataType.FLOAT).dup('c');
            return new Rows(f.data().asFloat(), (int) f.rows(), (int) f.columns());
        }

        public INDArray toINDArray() {
            return Nd4j.create(data, new long[] {rows, dim}, 'c');
        }
    }

    /** Consecutive queries starting at {@code first} (the index relevance knows them by). */
    public record QueryChunk(int first, Rows queries) implements Serializable {
    }

    record ChunkRanks(int first, QueryRanks ranks) implements Serializable {
    }

    @Override
    public QueryRanks ranks(INDArray queries, INDArray candidates, Relevance relevance) {
        int nq = (int) queries.rows();
        int chunks = Math.max(1, Math.min(partitions, nq));
        List<QueryChunk> parts = new ArrayList<>(chunks);
        for (int p = 0; p < chunks; p++) {
            long from = (long) nq * p / chunks;
            long to = (long) nq * (p + 1) / chunks;
            parts.add(new QueryChunk((int) from,
                    Rows.of(queries.get(NDArrayIndex.interval(from, to), NDArrayIndex.all()))));
        }
        Broadcast<Rows> c = spark.broadcast(Rows.of(candidates));
        Broadcast<Relevance> r = spark.broadcast(relevance);
        try {
            return ranks(spark.parallelize(parts, chunks), c, r);
        } finally {
            c.destroy();
            r.destroy();
        }
    }

    /** Ranks of queries that already live in an RDD (e.g. embeddings read from Parquet), collected in order. */
    public QueryRanks ranks(JavaRDD<QueryChunk> queries, Broadcast<Rows> candidates, Broadcast<Relevance> relevance) {
        List<ChunkRanks> parts = queries.map(new RankChunk(candidates, relevance, blockBytes)).collect();
        QueryRanks all = new QueryRanks(relevance.value().queries());
        int covered = 0;
        for (ChunkRanks part : parts) {
            all.copyFrom(part.ranks(), part.first());
            covered += part.ranks().size();
        }
        if (covered != all.size()) {
            throw new IllegalStateException("chunks covered " + covered + " of " + all.size() + " queries");
        }
        return all;
    }

    /** The per-partition work; a static class so that only the broadcasts travel with the task. */
    private static final class RankChunk implements Function<QueryChunk, ChunkRanks> {
        private final Broadcast<Rows> candidates;
        private final Broadcast<Relevance> relevance;
        private final long blockBytes;

        RankChunk(Broadcast<Rows> candidates, Broadcast<Relevance> relevance, long blockBytes) {
            this.candidates = candidates;
            this.relevance = relevance;
            this.blockBytes = blockBytes;
        }

        @Override
        public ChunkRanks call(QueryChunk chunk) {
            INDArray c = candidates.value().toINDArray();
            INDArray q = chunk.queries().toINDArray();
            try {
                return new ChunkRanks(chunk.first(),
                        new BlockwiseRanks(blockBytes).ranks(q, chunk.first(), c, relevance.value()));
            } finally {
                c.close();
                q.close();
            }
        }
    }
}
