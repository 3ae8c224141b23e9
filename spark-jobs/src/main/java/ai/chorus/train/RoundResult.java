package ai.chorus.train;

import java.io.Serializable;

/**
 * One round's contribution of one or more workers, summed by Spark's tree aggregation: sums of parameters and
 * updater state (the driver divides by {@link #workers}), and what the metrics need. Zero-sized arrays stand
 * for "no worker yet" so that the aggregation's zero value costs nothing to ship.
 */
public final class RoundResult implements Serializable {
    private float[] paramSum = new float[0];
    private float[] updaterSum = new float[0];
    private int workers;
    private long steps;
    private long samples;
    private double lossSum;
    private double computeSecondsMax;
    private double computeSecondsSum;
    private int nativeThreadsMax;

    /** A single worker's result; {@code nativeThreads}: the most native threads its ND4J pools allowed. */
    public static RoundResult of(ModelState state, long steps, long samples, double lossSum, double computeSeconds,
                                 int nativeThreads) {
        RoundResult r = new RoundResult();
        r.paramSum = state.params();
        r.updaterSum = state.updaterState();
        r.workers = 1;
        r.steps = steps;
        r.samples = samples;
        r.lossSum = lossSum;
        r.computeSecondsMax = computeSeconds;
        r.computeSecondsSum = computeSeconds;
        r.nativeThreadsMax = nativeThreads;
        return r;
    }

    /** Adds {@code other} into this (in place, reusing this one's arrays) and returns this. */
    public RoundResult merge(RoundResult other) {
        if (other.workers == 0) {
            return this;
        }
        if (workers == 0) {
            return other;
        }
        addInto(paramSum, other.paramSum);
        addInto(updaterSum, other.updaterSum);
        workers += other.workers;
        steps += other.steps;
        samples += other.samples;
        lossSum += other.lossSum;
        computeSecondsMax = Math.max(computeSecondsMax, other.computeSecondsMax);
        computeSecondsSum += other.computeSecondsSum;
        nativeThreadsMax = Math.max(nativeThreadsMax, other.nativeThreadsMax);
        return this;
    }

    private static void addInto(float[] into, float[] from) {
        if (into.length != from.length) {
            throw new IllegalStateException("workers returned states of different sizes: " + into.length + " vs " + from.length);
        }
        for (int i = 0; i < into.length; i++) {
            into[i] += from[i];
        }
    }

    /** The averaged state (parameters and updater state divided by the number of workers). */
    public ModelState average(int iteration) {
        if (workers == 0) {
            throw new IllegalStateException("no worker returned a result");
        }
        return new ModelState(divided(paramSum), divided(updaterSum), iteration);
    }

    private float[] divided(float[] sum) {
        float[] out = new float[sum.length];
        float inv = 1f / workers;
        for (int i = 0; i < sum.length; i++) {
            out[i] = sum[i] * inv;
        }
        return out;
    }

    public int workers() {
        return workers;
    }

    public long steps() {
        return steps;
    }

    public long samples() {
        return samples;
    }

    /** Mean training loss over every minibatch of every worker in the round. */
    public double meanLoss() {
        return steps == 0 ? Double.NaN : lossSum / steps;
    }

    public double computeSecondsMax() {
        return computeSecondsMax;
    }

    /** The most native threads any worker's ND4J pools allowed in this round (see {@link NativeThreads}). */
    public int nativeThreadsMax() {
        return nativeThreadsMax;
    }

    public double computeSecondsMean() {
        return workers == 0 ? 0 : computeSecondsSum / workers;
    }
}
