package ai.chorus.bench;

import org.bytedeco.javacpp.Pointer;

/**
 * Peak memory while a model trains, sampled every few milliseconds on a daemon thread (a step allocates and frees
 * far more than what is left at its end): JVM heap in use (Runtime), off-heap bytes JavaCPP tracks
 * ({@link Pointer#totalBytes()}) and the process' resident memory ({@link Pointer#physicalBytes()}). ND4J's native
 * allocator (array buffers, workspaces) is not tracked by JavaCPP, so resident memory is the off-heap figure to
 * read; JavaCPP's own count stays near a megabyte.
 */
final class MemoryPeaks implements AutoCloseable {
    private static final double MIB = 1024.0 * 1024.0;
    private static final long SAMPLE_MILLIS = 5;

    /** Peaks in MiB, and the limits they run against (-Xmx, JavaCPP's maxBytes and maxPhysicalBytes). */
    record Peaks(double heapUsedPeakMiB, double heapMaxMiB, double javacppPeakMiB, double javacppMaxMiB,
                 double residentPeakMiB, double residentMaxMiB) {
    }

    private final Thread sampler;
    private volatile boolean running = true;
    private long heapPeak;
    private long javacppPeak;
    private long residentPeak;

    MemoryPeaks() {
        sample();
        sampler = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(SAMPLE_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "chorus-memory-peaks");
        sampler.setDaemon(true);
        sampler.start();
    }

    private synchronized void sample() {
        Runtime rt = Runtime.getRuntime();
        heapPeak = Math.max(heapPeak, rt.totalMemory() - rt.freeMemory());
        javacppPeak = Math.max(javacppPeak, Pointer.totalBytes());
        residentPeak = Math.max(residentPeak, Pointer.physicalBytes());
    }

    synchronized Peaks peaks() {
        return new Peaks(heapPeak / MIB, Runtime.getRuntime().maxMemory() / MIB, javacppPeak / MIB,
                Pointer.maxBytes() / MIB, residentPeak / MIB, Pointer.maxPhysicalBytes() / MIB);
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        try {
            sampler.join(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }
}
