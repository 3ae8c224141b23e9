package ai.chorus.train;

import org.apache.spark.SparkContext;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How many native threads one Spark task may use (resolved on the driver, which knows the master and the
 * settings): the tasks that run side by side in one JVM should fill its cores, not oversubscribe them.
 */
public final class TaskThreads {
    /** Spark's spellings of local mode: local, local[N], local[*], local[N, maxFailures], local[*, maxFailures]. */
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[\\s*(\\*|\\d+)\\s*(?:,\\s*\\d+\\s*)?])?");

    private TaskThreads() {
    }

    /** {@code configured} if positive, else {@link #auto} for this context with {@code concurrentTasks} tasks. */
    public static int resolve(int configured, SparkContext sc, int concurrentTasks) {
        return configured > 0 ? configured : auto(sc.master(), concurrentTasks, sc.getConf().getInt("spark.task.cpus", 1),
                Runtime.getRuntime().availableProcessors());
    }

    /**
     * Local mode (local[N]; local[*] = {@code cores}): all tasks share this JVM's N threads, and at most
     * min(tasks, N) run at once, so each gets max(1, N / min(tasks, N)). Elsewhere (standalone, YARN, Kubernetes,
     * local-cluster): an executor runs one task per spark.task.cpus of its cores, so each task gets spark.task.cpus.
     */
    static int auto(String master, int tasks, int taskCpus, int cores) {
        Matcher m = LOCAL.matcher(master.trim());
        if (!m.matches()) {
            return Math.max(1, taskCpus);
        }
        int n = m.group(1) == null ? 1 : "*".equals(m.group(1)) ? cores : Integer.parseInt(m.group(1));
        n = Math.max(1, n);
        return Math.max(1, n / Math.max(1, Math.min(tasks, n)));
    }
}
