package ai.chorus.eval;

import ai.chorus.cli.ChorusCli;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code chorus bench-eval} end to end at small N (no timing assertions: the numbers are only checked sane). */
class BenchEvalCommandTest {

    @Test
    void smallSizesGiveBothDirectionsWithFloorAndMemory(@TempDir Path tmp) throws Exception {
        Path json = tmp.resolve("bench/eval.json");
        int code = ChorusCli.run("bench-eval", "--sizes", "300,1000", "--dim", "32", "--block-mib", "0",
                "--repeats", "2", "--json", json.toString());
        assertEquals(2, code, "a zero block budget is a configuration error");
        code = ChorusCli.run("bench-eval", "--sizes", "300,1000", "--dim", "32", "--block-mib", "1",
                "--repeats", "2", "--json", json.toString());
        assertEquals(0, code);
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals("bench-eval", report.path("command").asText());
        assertTrue(report.path("machine").has("loadAverageStart"));
        assertTrue(report.path("floorDefinition").asText().contains("without ranking"));
        JsonNode results = report.path("results");
        assertEquals(2, results.size());
        for (int i = 0; i < 2; i++) {
            JsonNode size = results.get(i);
            int n = List.of(300, 1000).get(i);
            assertEquals(n, size.path("n").asInt());
            JsonNode dirs = size.path("directions");
            assertEquals("image_retrieval", dirs.get(0).path("name").asText());
            assertEquals("texts", dirs.get(0).path("queries").asText());
            assertEquals("text_retrieval", dirs.get(1).path("name").asText());
            for (JsonNode d : dirs) {
                // 1 MiB over n candidates of 4 bytes, at most n rows: at N = 1000, 262 rows, 4 blocks with a tail.
                assertEquals(Math.min(n, (1 << 20) / (4 * n)), d.path("blockRows").asInt());
                for (String f : List.of("seconds", "floorSeconds", "ratio", "floorGflops")) {
                    assertTrue(d.path(f).asDouble() > 0, f + " in " + d);
                }
                assertTrue(d.path("cpuSeconds").asDouble() >= 0, "CPU time counts in ticks: 0 at this size is fine");
                assertEquals(d.path("seconds").asDouble() / d.path("floorSeconds").asDouble(),
                        d.path("ratio").asDouble(), 1e-9);
                assertTrue(d.path("memory").path("residentPeakMiB").asDouble() > 0);
                assertTrue(d.path("memory").path("heapUsedPeakMiB").asDouble() > 0);
                assertTrue(d.path("floorMemory").path("residentPeakMiB").asDouble() > 0);
                // Random embeddings: chance level recall, 1/n at K=1 (a few hits at most).
                assertTrue(d.path("recallAt1").asDouble() < 0.05, d.toString());
            }
        }
    }
}
