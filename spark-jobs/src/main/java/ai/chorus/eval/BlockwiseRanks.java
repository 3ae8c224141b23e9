package ai.chorus.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import java.nio.FloatBuffer;

/**
 * Ranks in this JVM without ever holding the Nq x Nc similarity matrix: a block of query rows at a time is
 * multiplied with all candidates by {@code Nd4j.gemm} into one reused [rows, Nc] buffer, and each row is ranked as
 * soon as it exists. The rows per block follow a byte budget, so the working memory stays the same whatever N is
 * (only the candidates themselves grow with N). Every row comes whole from one product, so ranks do not depend on
 * the block size.
 */
public final class BlockwiseRanks implements RankEngine {
    /** Score buffer budget: 64 MiB is 160 query rows against 100k candidates. */
    public static final long DEFAULT_BLOCK_BYTES = 64L << 20;

    private final long blockBytes;
    private final int fixedRows;

    public BlockwiseRanks() {
        this(DEFAULT_BLOCK_BYTES);
    }

    public BlockwiseRanks(long blockBytes) {
        this(blockBytes, 0);
    }

    private BlockwiseRanks(long blockBytes, int fixedRows) {
        if (blockBytes < 1 || fixedRows < 0) {
            throw new IllegalArgumentException("block size must be positive");
        }
        this.blockBytes = blockBytes;
        this.fixedRows = fixedRows;
    }

    /** A fixed number of query rows per block, whatever the candidate count (tests, tuning). */
    public static BlockwiseRanks withBlockRows(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("block rows must be positive, got " + rows);
        }
        return new BlockwiseRanks(Long.MAX_VALUE, rows);
    }

    /** Query rows per block for this many queries and candidates. */
    public int blockRows(long queries, long candidates) {
        long rows = fixedRows > 0 ? fixedRows : blockBytes / (Float.BYTES * Math.max(1, candidates));
        return (int) Math.max(1, Math.min(rows, Math.max(1, queries)));
    }

    @Override
    public QueryRanks ranks(INDArray queries, INDArray candidates, Relevance relevance) {
        return ranks(queries, 0, candidates, relevance);
    }

    /** Ranks of the queries {@code firstQuery ..} of {@code relevance} whose rows {@code queries} holds (a chunk). */
    public QueryRanks ranks(INDArray queries, int firstQuery, INDArray candidates, Relevance relevance) {
        int nc = (int) candidates.rows();
        if (nc != relevance.candidates() || firstQuery + queries.rows() > relevance.queries()) {
            throw new IllegalArgumentException(queries.rows() + " queries from " + firstQuery + " and " + nc
                    + " candidates do not match relevance of " + relevance.queries() + " queries and "
                    + relevance.candidates() + " candidates");
        }
        requireFinite(queries, "queries");
        requireFinite(candidates, "candidates");
        QueryRanks out = new QueryRanks((int) queries.rows());
        float[] row = new float[nc];
        float[] scratch = new float[relevance.maxRelevant()];
        forEachBlock(queries, candidates, (start, rows, scores) -> {
            FloatBuffer view = scores.data().asNioFloat();
            for (int i = 0; i < rows; i++) {
                view.get(i * nc, row, 0, nc); // one row into a reused, cache-sized array
                RankComputation.rankRow(row, nc, relevance, firstQuery + start + i, scratch, out, start + i);
            }
        });
        return out;
    }

    /** The same products into the same buffers and nothing else: the floor a ranking run is measured against. */
    public void productsOnly(INDArray queries, INDArray candidates) {
        forEachBlock(queries, candidates, (start, rows, scores) -> {
        });
    }

    interface BlockVisitor {
        /** {@code scores} is a c-order [rows, Nc] buffer, valid until the next call. */
        void visit(int start, int rows, INDArray scores);
    }

    void forEachBlock(INDArray queries, INDArray candidates, BlockVisitor visitor) {
        if (queries.rank() != 2 || candidates.rank() != 2 || queries.columns() != candidates.columns()) {
            throw new IllegalArgumentException("queries " + java.util.Arrays.toString(queries.shape())
                    + " and candidates " + java.util.Arrays.toString(candidates.shape())
                    + " must be [N, D] with the same D");
        }
        if (queries.dataType() != DataType.FLOAT || candidates.dataType() != DataType.FLOAT) {
            throw new IllegalArgumentException("embeddings must be float32");
        }
        long nq = queries.rows();
        long nc = candidates.rows();
        if (nq == 0) {
            return;
        }
        int rows = blockRows(nq, nc);
        INDArray full = Nd4j.createUninitialized(DataType.FLOAT, rows, nc);
        INDArray tail = null;
        try {
            for (long start = 0; start < nq; start += rows) {
                int b = (int) Math.min(rows, nq - start);
                INDArray scores = full;
                if (b < rows) {
                    tail = Nd4j.createUninitialized(DataType.FLOAT, b, nc);
                    scores = tail;
                }
                INDArray block = queries.get(NDArrayIndex.interval(start, start + b), NDArrayIndex.all());
                Nd4j.gemm(block, candidates, scores, false, true, 1.0, 0.0);
                visitor.visit((int) start, b, scores);
            }
        } finally {
            full.close();
            if (tail != null) {
                tail.close();
            }
        }
    }

    private static void requireFinite(INDArray a, String what) {
        // The sum is NaN or infinite iff an entry is (unit rows cannot overflow it): a NaN score would rank silently.
        if (a.length() > 0 && !Double.isFinite(a.sumNumber().doubleValue())) {
            throw new IllegalArgumentException(what + " contain NaN or infinite values");
        }
    }
}
