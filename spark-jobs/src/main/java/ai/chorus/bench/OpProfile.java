package ai.chorus.bench;

import org.nd4j.linalg.api.ops.CustomOp;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.executioner.OpExecutioner;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.profiler.OpProfiler;
import org.nd4j.linalg.profiler.ProfilerConfig;
import org.nd4j.linalg.profiler.data.StringAggregator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where one training step's time goes, by ND4J op, from ND4J's {@link OpProfiler} with elapsed-time checks on.
 * The profiler itself keeps per-op times only for calls over 0.1 ms (and splits them by op hash); every call's time
 * reaches its per-class aggregator together with the op, so an aggregator that files them by op name sees all.
 *
 * <p>{@code Nd4j.gemm} runs as the {@code matmul} op in ND4J 1.0.0-M2.1, so the blocks' projections are timed too.
 * Not timed: Java-side work, allocation and garbage collection; the report gives that as step minus timed ops.
 * The hooks slow the profiled step down: read shares, not its milliseconds.
 */
final class OpProfile {
    /** One op name's calls and total milliseconds in the profiled step. */
    record OpTime(String op, long calls, double ms) {
    }

    /** The profiled step: its wall time, the part ND4J timed op by op, and the {@code top} ops by time. */
    record Result(double stepMs, double timedOpsMs, double untimedMs, List<OpTime> top) {
    }

    private OpProfile() {
    }

    static Result ofOneStep(Runnable step, int top) {
        OpProfiler profiler = OpProfiler.getInstance();
        OpExecutioner executioner = Nd4j.getExecutioner();
        StringAggregator previous = profiler.getClassAggergator();
        ByOpName times = new ByOpName();
        profiler.setClassAggergator(times);
        executioner.setProfilingConfig(ProfilerConfig.builder().checkElapsedTime(true).build());
        long t = System.nanoTime();
        try {
            step.run();
        } finally {
            executioner.setProfilingConfig(ProfilerConfig.builder().build());
            profiler.setClassAggergator(previous);
        }
        double stepMs = (System.nanoTime() - t) / 1e6;
        List<OpTime> all = times.results();
        double timed = all.stream().mapToDouble(OpTime::ms).sum();
        return new Result(stepMs, timed, stepMs - timed, all.subList(0, Math.min(top, all.size())));
    }

    /** Files every timed call under its op name (e.g. {@code matmul}, {@code softmax_bp}). */
    private static final class ByOpName extends StringAggregator {
        private final Map<String, LongAdder> nanos = new ConcurrentHashMap<>();
        private final Map<String, LongAdder> calls = new ConcurrentHashMap<>();

        @Override
        public void putTime(String key, Op op, long timeNs) {
            add(op.opName(), timeNs);
        }

        @Override
        public void putTime(String key, CustomOp op, long timeNs) {
            add(op.opName(), timeNs);
        }

        @Override
        public void reset() {
            nanos.clear();
            calls.clear();
        }

        private void add(String op, long timeNs) {
            nanos.computeIfAbsent(op, k -> new LongAdder()).add(timeNs);
            calls.computeIfAbsent(op, k -> new LongAdder()).increment();
        }

        List<OpTime> results() {
            List<OpTime> out = new ArrayList<>();
            nanos.forEach((op, ns) -> out.add(new OpTime(op, calls.get(op).sum(), ns.sum() / 1e6)));
            out.sort(Comparator.comparingDouble(OpTime::ms).reversed());
            return out;
        }
    }
}
