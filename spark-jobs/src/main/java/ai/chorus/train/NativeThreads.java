package ai.chorus.train;

import org.nd4j.linalg.api.blas.Blas;
import org.nd4j.linalg.factory.Environment;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the native threads ND4J (M2.1, CPU) uses for the calling Spark task, so that tasks running side by side in
 * one executor JVM do not each start one thread per core. ND4J has three separate pools, checked by experiment:
 * <ul>
 *   <li>OpenBLAS (every gemm: dense layers, im2col convolutions, {@code Nd4j.gemm}): {@link Blas#setMaxThreads},
 *       i.e. {@code blas_set_num_threads}; process-wide (OpenBLAS is a pthreads build).</li>
 *   <li>libnd4j's own parallel loops (element-wise transforms, reductions): {@link Environment#setMaxMasterThreads};
 *       process-wide. ({@link Environment#setMaxThreads} is ignored by libnd4j M2.1, so it is not used.)</li>
 *   <li>OpenMP regions in libnd4j ops (softmax, ...): {@code setOmpNumThreads}, which sets an OpenMP ICV of the
 *       <em>calling</em> thread only, so it is set on the task's thread, in every task.</li>
 * </ul>
 * Two of the three are per process: all tasks of an executor must ask for the same number, which holds because the
 * driver resolves one number per job ({@link TaskThreads}).
 */
public final class NativeThreads {
    private static final Logger LOG = LoggerFactory.getLogger(NativeThreads.class);
    /** The last limit logged in this JVM (0 = none): one line per executor and job, not one per task. */
    private static final AtomicInteger LOGGED = new AtomicInteger();
    private static Settings defaults;

    private NativeThreads() {
    }

    /** The three settings as ND4J reports them (OpenMP: for the calling thread). */
    public record Settings(int blas, int loops, int openMp) {
        /** The most threads any of the pools may use. */
        public int max() {
            return Math.max(blas, Math.max(loops, openMp));
        }
    }

    /** Caps all three pools at {@code threads} for the calling thread's ND4J work; returns what ND4J now reports. */
    public static Settings limit(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        rememberDefaults();
        apply(new Settings(threads, threads, threads));
        Settings now = current();
        if (LOGGED.getAndSet(threads) != threads) {
            LOG.info("ND4J native threads per task limited to {}: OpenBLAS {}, libnd4j loops {}, OpenMP {} (cores {})",
                    threads, now.blas(), now.loops(), now.openMp(), Runtime.getRuntime().availableProcessors());
        }
        return now;
    }

    /** Puts back the settings this JVM had before the first {@link #limit} (no-op if it was never called). */
    public static void restoreDefaults() {
        Settings d;
        synchronized (NativeThreads.class) {
            d = defaults;
        }
        if (d != null) {
            apply(d);
            LOGGED.set(0);
        }
    }

    public static Settings current() {
        return new Settings(blas().getMaxThreads(), environment().maxMasterThreads(), ops().ompGetMaxThreads());
    }

    private static synchronized void rememberDefaults() {
        if (defaults == null) {
            defaults = current();
        }
    }

    private static void apply(Settings s) {
        blas().setMaxThreads(s.blas());
        // libnd4j clamps this to its pool size (the number of cores), so asking for more is harmless.
        environment().setMaxMasterThreads(s.loops());
        ops().setOmpNumThreads(s.openMp());
    }

    private static Blas blas() {
        return Nd4j.factory().blas();
    }

    private static Environment environment() {
        return Nd4j.getEnvironment();
    }

    private static NativeOps ops() {
        return NativeOpsHolder.getInstance().getDeviceNativeOps();
    }
}
