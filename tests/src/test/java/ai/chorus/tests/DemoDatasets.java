package ai.chorus.tests;

import ai.chorus.cli.ChorusCli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The real demo corpora as the README's demo makes them, shared by the test classes of one JVM: the project's
 * script builds a corpus (it skips one already complete; downloads are cached), and {@code chorus prepare} turns it
 * into a dataset in a temporary folder of this JVM, once, whichever test asks first.
 */
final class DemoDatasets {
    private static final Set<String> BUILT = new HashSet<>();
    private static final Map<String, Path> PREPARED = new HashMap<>();
    private static Path root;

    private DemoDatasets() {
    }

    /** Builds the named corpora ({@code all} for every one) with {@code data-prep/corpora/build-corpus.sh}. */
    static synchronized void build(String... corpora) {
        Set<String> needed = new HashSet<>(Set.of(corpora));
        needed.removeAll(BUILT);
        if (needed.isEmpty() || BUILT.contains("all")) {
            return;
        }
        String[] command = Stream.concat(Stream.of("bash", Repo.file("data-prep/corpora/build-corpus.sh").toString()),
                needed.stream().sorted()).toArray(String[]::new);
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            // Through System.out: a child writing straight to the forked test JVM's stdout corrupts Surefire's channel.
            p.getInputStream().transferTo(System.out);
            if (!p.waitFor(20, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("build-corpus.sh " + needed + " did not finish in 20 minutes");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("build-corpus.sh " + needed + " failed with exit code " + p.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        BUILT.addAll(needed);
    }

    /**
     * The corpus prepared with {@code conf/corpora/<corpus>.conf} (building the corpus if needed) into a folder of
     * this JVM, deleted when the JVM exits. {@code chorus prepare} stops the Spark session it used: start your own
     * session after this call.
     */
    static synchronized Path prepared(String corpus) {
        Path dataset = PREPARED.get(corpus);
        if (dataset != null) {
            return dataset;
        }
        build(corpus);
        dataset = root().resolve(corpus);
        int exit = ChorusCli.run("prepare", "-c", Repo.file("conf/corpora/" + corpus + ".conf").toString(),
                "chorus.prep.output.path=\"" + dataset.toUri() + "\"", "--progress-seconds", "5");
        if (exit != 0) {
            throw new IllegalStateException("chorus prepare of the " + corpus + " corpus exited with " + exit);
        }
        PREPARED.put(corpus, dataset);
        return dataset;
    }

    /** Where the build script puts the corpora (its default, as the README says). */
    static Path corpusFolder(String corpus) {
        String data = System.getenv().getOrDefault("CHORUS_DATA", System.getProperty("user.home") + "/.cache/chorus");
        return Path.of(data, "corpora", corpus);
    }

    private static Path root() {
        if (root == null) {
            try {
                root = Files.createTempDirectory("chorus-demo-datasets");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Path r = root;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(r)));
        }
        return root;
    }

    private static void delete(Path folder) {
        try (Stream<Path> all = Files.walk(folder)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // Best effort at exit: a leftover temporary folder is not a test failure.
        }
    }
}
