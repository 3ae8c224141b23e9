package ai.chorus.prep.bench;

import ai.chorus.config.ChorusConfig;
import ai.chorus.prep.PrepareJob;
import ai.chorus.prep.PrepareOptions;
import ai.chorus.prep.audio.AudioDecoder;
import ai.chorus.prep.audio.AudioPreprocessor;
import ai.chorus.prep.audio.PreparedAudio;
import ai.chorus.prep.image.ImagePreprocessor;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import org.apache.spark.sql.SparkSession;

import javax.imageio.ImageIO;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Measures preparation throughput on real files against baselines measured in the same run on the
 * same files: a plain single-threaded {@code ImageIO.read} loop for images (decode only, no resize, no
 * write), and a plain FFmpeg decode loop for audio (no log-mel, no write). Reported per core, so that
 * machines of different sizes compare.
 */
public final class PrepBenchmark {
    private final SparkSession spark;
    private final Config baseConfig;
    private final PrintStream out;

    public PrepBenchmark(SparkSession spark, Config baseConfig, PrintStream out) {
        this.spark = spark;
        this.baseConfig = baseConfig;
        this.out = out;
    }

    /** One line of the result table. */
    public record Measurement(String what, long items, double seconds, int cores, String unit, double amount) {
        double perSecondPerCore() {
            return amount / seconds / cores;
        }
    }

    public List<Measurement> images(List<Path> files, int size, Path work) throws IOException {
        int cores = spark.sparkContext().defaultParallelism();
        List<byte[]> bytes = new ArrayList<>();
        for (Path f : files) {
            bytes.add(Files.readAllBytes(f));
        }
        PrepareOptions options = options(files.subList(0, 1), work.resolve("image-options"), "image",
                Map.of("chorus.prep.image.size", size));
        ImagePreprocessor preprocessor = new ImagePreprocessor(options.image());
        // Warm up the JIT on a few files so that the first measurement is not the slowest.
        for (int i = 0; i < Math.min(50, bytes.size()); i++) {
            ImageIO.read(new ByteArrayInputStream(bytes.get(i)));
            preprocessor.process(bytes.get(i));
        }
        List<Measurement> m = new ArrayList<>();
        long t = System.nanoTime();
        for (byte[] b : bytes) {
            ImageIO.read(new ByteArrayInputStream(b));
        }
        m.add(new Measurement("baseline: ImageIO.read loop (decode only), 1 thread", files.size(), secondsSince(t), 1,
                "images", files.size()));
        t = System.nanoTime();
        for (byte[] b : bytes) {
            preprocessor.process(b);
        }
        m.add(new Measurement("chorus ImagePreprocessor (decode+orient+alpha+resize), 1 thread", files.size(),
                secondsSince(t), 1, "images", files.size()));
        m.addAll(prepareJobs("read+decode+resize+Parquet", files, work.resolve("images"), "image",
                Map.of("chorus.prep.image.size", size), cores, "images", 1.0));
        return m;
    }

    public List<Measurement> audio(List<Path> files, Path work) throws IOException {
        int cores = spark.sparkContext().defaultParallelism();
        PrepareOptions options = options(files.subList(0, 1), work.resolve("audio-options"), "audio", Map.of());
        AudioDecoder decoder = new AudioDecoder(options.audio().sampleRate());
        AudioPreprocessor preprocessor = new AudioPreprocessor(options.audio());
        for (int i = 0; i < Math.min(20, files.size()); i++) {
            decoder.decode(files.get(i));
            preprocessor.process(files.get(i));
        }
        List<Measurement> m = new ArrayList<>();
        double audioSeconds = 0;
        long t = System.nanoTime();
        for (Path f : files) {
            audioSeconds += decoder.decode(f).durationSeconds();
        }
        m.add(new Measurement("baseline: FFmpeg decode+resample loop, 1 thread", files.size(), secondsSince(t), 1,
                "s of audio", audioSeconds));
        double clipped = 0;
        t = System.nanoTime();
        for (Path f : files) {
            PreparedAudio a = preprocessor.process(f);
            clipped += Math.min(a.durationSeconds(), options.audio().clipSeconds());
        }
        double preprocessSeconds = secondsSince(t);
        m.add(new Measurement("chorus AudioPreprocessor (decode+resample+log-mel), 1 thread", files.size(),
                preprocessSeconds, 1, "s of audio", audioSeconds));
        m.addAll(prepareJobs("read+decode+log-mel+Parquet", files, work.resolve("audio"), "audio", Map.of(), cores,
                "s of audio", audioSeconds / files.size()));
        out.printf(Locale.ROOT, "(log-mel is computed over the first %.1f s of each clip: %.0f of %.0f s)%n",
                options.audio().clipSeconds(), clipped, audioSeconds);
        return m;
    }

    /**
     * The prepare job over n files and over 4n files (the same files under new keys): the first line
     * includes the job's fixed costs (Spark jobs, manifest, tokenizer, statistics, commit), the second
     * is the marginal rate per extra row, the job's throughput on a large corpus.
     */
    private List<Measurement> prepareJobs(String steps, List<Path> files, Path work, String column,
                                          Map<String, Object> extra, int cores, String unit, double amountPerFile)
            throws IOException {
        List<Path> four = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            four.addAll(files);
        }
        int n = files.size();
        // The first Spark SQL job in a JVM pays for class loading, JIT and code generation (~15 s here):
        // a warm-up job keeps that out of both measurements.
        prepareJob("", options(files.subList(0, Math.min(50, n)), work.resolve("warm-up"), column, extra),
                Math.min(50, n), cores, unit, 0);
        Measurement small = prepareJob("chorus prepare job, " + n + " rows (" + steps + ", fixed costs included), local["
                + cores + "]", options(files, work.resolve("n"), column, extra), n, cores, unit, n * amountPerFile);
        Measurement large = prepareJob("", options(four, work.resolve("4n"), column, extra), 4 * n, cores, unit,
                4 * n * amountPerFile);
        Measurement marginal = new Measurement("chorus prepare job, marginal rate from " + n + " to " + 4 * n
                + " rows, local[" + cores + "]", 3L * n, large.seconds() - small.seconds(), cores, unit, 3 * n * amountPerFile);
        return List.of(small, marginal);
    }

    private Measurement prepareJob(String what, PrepareOptions options, int n, int cores, String unit, double amount) {
        long t = System.nanoTime();
        PrepareJob.Result result = new PrepareJob(spark, options, 30_000).run();
        double seconds = secondsSince(t);
        if (result.samples() != n) {
            throw new IllegalStateException("benchmark input had rejects: " + result.rejects() + " of " + n
                    + " (see " + result.dataset() + "/rejects)");
        }
        return new Measurement(what, n, seconds, cores, unit, amount);
    }

    /** A JSONL manifest of the files, one modality column, and the options to prepare it. */
    private PrepareOptions options(List<Path> files, Path work, String column, Map<String, Object> extra) throws IOException {
        Files.createDirectories(work);
        ObjectMapper json = new ObjectMapper();
        StringBuilder manifest = new StringBuilder();
        for (int i = 0; i < files.size(); i++) {
            manifest.append(json.writeValueAsString(Map.of("key", "bench-" + i, column, files.get(i).toUri().toString())))
                    .append('\n');
        }
        Path manifestFile = work.resolve("manifest.jsonl");
        Files.writeString(manifestFile, manifest);
        Path root = files.get(0).getRoot();
        List<String> overrides = new ArrayList<>(List.of(
                "chorus.prep.input.manifest=\"" + manifestFile.toUri() + "\"",
                "chorus.prep.input.root=\"" + root.toUri() + "\"",
                "chorus.prep.output.path=\"" + work.resolve("dataset").toUri() + "\""));
        extra.forEach((k, v) -> overrides.add(k + "=" + v));
        Config config = ChorusConfig.parseOverrides(overrides).withFallback(baseConfig).resolve();
        return PrepareOptions.fromConfig(config);
    }

    public void print(String title, List<Measurement> measurements) {
        Measurement baseline = measurements.get(0);
        out.println();
        out.println(title);
        out.printf(Locale.ROOT, "%-78s %8s %9s %14s %14s %8s%n", "what", "items", "seconds", baseline.unit() + "/s",
                "per core", "ratio");
        for (Measurement m : measurements) {
            out.printf(Locale.ROOT, "%-78s %8d %9.2f %14.1f %14.1f %7.2fx%n", m.what(), m.items(), m.seconds(),
                    m.amount() / m.seconds(), m.perSecondPerCore(), m.perSecondPerCore() / baseline.perSecondPerCore());
        }
    }

    /** The first {@code n} files with one of the extensions under {@code folder}, in name order, repeated if fewer. */
    public static List<Path> files(Path folder, List<String> extensions, int n) throws IOException {
        List<Path> found;
        try (Stream<Path> walk = Files.walk(folder)) {
            found = walk.filter(Files::isRegularFile)
                    .filter(p -> extensions.stream().anyMatch(e -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith("." + e)))
                    .sorted().toList();
        }
        if (found.isEmpty()) {
            throw new UncheckedIOException(new IOException("no " + extensions + " files under " + folder));
        }
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(found.get(i % found.size()));
        }
        return out;
    }

    private static double secondsSince(long t) {
        return (System.nanoTime() - t) / 1e9;
    }
}
