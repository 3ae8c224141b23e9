package ai.chorus.train;

import org.apache.spark.HashPartitioner;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import scala.Tuple2;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Deals the training samples to workers and orders each worker's share per epoch, deterministically from the seed:
 * samples sorted by a seeded hash of their key are dealt round-robin (worker shares differ by at most one sample),
 * and within a share each epoch has its own seeded order. Worker {@code w} is partition {@code w}; its minibatches
 * are consecutive runs of {@code batchSize} samples in that order, so a minibatch is always formed inside one
 * partition (Spark never re-batches contrastive examples) and a given (seed, epoch, step) always means the same
 * samples, which is what makes resume exact. Every worker takes the same number of steps per epoch:
 * {@code floor(smallest share / batchSize)}; the samples after that in a share (at most batchSize - 1 plus
 * the dealing remainder) sit out this epoch, and others sit out the next, since the order changes per epoch.
 */
public final class WorkerDeal {
    private final JavaPairRDD<Integer, Row> shares;
    private final int workers;
    private final int stepsPerEpoch;
    private final long samples;
    private final long seed;

    private WorkerDeal(JavaPairRDD<Integer, Row> shares, int workers, int stepsPerEpoch, long samples, long seed) {
        this.shares = shares;
        this.workers = workers;
        this.stepsPerEpoch = stepsPerEpoch;
        this.samples = samples;
        this.seed = seed;
    }

    /**
     * @param rows      the training split's rows (a {@code key} column is required)
     * @param keyField  index of the key column in the rows
     */
    public static WorkerDeal of(JavaRDD<Row> rows, int keyField, int workers, int batchSize, long seed) {
        JavaPairRDD<Integer, Row> shares = rows
                .sortBy(r -> orderKey(seed, -1, r.getString(keyField)), true, workers)
                .zipWithIndex()
                .mapToPair(t -> new Tuple2<>((int) (t._2() % workers), t._1()))
                .partitionBy(new HashPartitioner(workers))
                .persist(StorageLevel.MEMORY_AND_DISK());
        List<Integer> sizes = shares.mapPartitions(it -> {
            int n = 0;
            for (; it.hasNext(); it.next()) {
                n++;
            }
            return List.of(n).iterator();
        }).collect();
        int smallest = sizes.stream().mapToInt(Integer::intValue).min().orElse(0);
        long total = sizes.stream().mapToLong(Integer::longValue).sum();
        if (smallest < batchSize) {
            shares.unpersist(false);
            throw new IllegalArgumentException("chorus.train.batch-size = " + batchSize + " is larger than a worker's"
                    + " share of the data: " + total + " samples dealt to " + workers + " workers give " + smallest
                    + " each; lower the batch size or the number of workers (chorus.train.workers)");
        }
        return new WorkerDeal(shares, workers, smallest / batchSize, total, seed);
    }

    public int workers() {
        return workers;
    }

    public int stepsPerEpoch() {
        return stepsPerEpoch;
    }

    public long samples() {
        return samples;
    }

    /** The pair RDD whose partition w holds worker w's share (in no particular order). */
    JavaPairRDD<Integer, Row> shares() {
        return shares;
    }

    /** Worker {@code w}'s share in the order of {@code epoch}, from an iterator over its partition. */
    static List<Row> ordered(Iterator<Tuple2<Integer, Row>> partition, long seed, int epoch, int keyField) {
        // Each row's sort key computed once (not in every comparison): every round of an epoch sorts its share.
        List<Tuple2<String, Row>> keyed = new ArrayList<>();
        partition.forEachRemaining(t -> keyed.add(new Tuple2<>(orderKey(seed, epoch, t._2().getString(keyField)), t._2())));
        keyed.sort(Comparator.comparing(Tuple2::_1));
        List<Row> rows = new ArrayList<>(keyed.size());
        keyed.forEach(t -> rows.add(t._2()));
        return rows;
    }

    /** A seeded 64-bit hash of the key as a sortable string (ties impossible in practice; keys are unique). */
    static String orderKey(long seed, int epoch, String key) {
        long h = 0xcbf29ce484222325L ^ seed * 0x9E3779B97F4A7C15L ^ (epoch + 1L) * 0xC2B2AE3D27D4EB4FL;
        for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return String.format("%016x", h) + key;
    }

    /** Every worker's share in the order of {@code epoch}, collected to the driver (for tests and small data). */
    public List<List<Row>> orderedShares(int epoch, int keyField) {
        long s = seed;
        List<List<Row>> out = new ArrayList<>();
        List<List<Row>> parts = shares.mapPartitions(it -> List.of(ordered(it, s, epoch, keyField)).iterator(), true)
                .collect();
        out.addAll(parts);
        return out;
    }

    public void release() {
        shares.unpersist(false);
    }
}
