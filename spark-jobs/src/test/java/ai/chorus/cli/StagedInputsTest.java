package ai.chorus.cli;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Staging report inputs through Hadoop's FileSystem, with file: URIs (the s3a way is the tests module's
 * S3aReportTest): only what the report reads is copied, files are named by the URI they came from, nothing is left.
 */
class StagedInputsTest {
    private static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** The files below {@code root}, as relative paths with '/'. */
    private static Set<String> files(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            Set<String> out = new TreeSet<>();
            walk.filter(Files::isRegularFile).forEach(p -> out.add(root.relativize(p).toString().replace('\\', '/')));
            return out;
        }
    }

    /** A run and an evaluation folder as training and evaluation write them, with what a report must not copy. */
    static void writeRunAndEval(Path run, Path eval) throws IOException {
        write(run.resolve("metrics.jsonl"), "{\"round\":0,\"step\":1,\"loss\":2.0}\n");
        write(run.resolve("run.conf"), "chorus.model.name = clip\n");
        write(run.resolve("model.zip"), "not read by the report");
        write(run.resolve("checkpoints/round-1/model.zip"), "not read by the report");
        write(eval.resolve("results/text-image.test.json"), "{\"task\":\"zeroshot_retrieval\",\"metrics\":{\"x\":1}}");
        write(eval.resolve("examples/text-image.test.json"), "{\"pair\":[\"text\",\"image\"],\"directions\":[]}");
        write(eval.resolve("media/image/k1.png"), "png bytes");
        write(eval.resolve("media/audio/k2.wav"), "wav bytes");
        write(eval.resolve("embeddings/test/text/part-00000.parquet"), "not read by the report");
        write(eval.resolve("embeddings/test/_SUCCESS"), "");
    }

    @Test
    void copiesOnlyWhatTheReportReadsAndDeletesTheCopies(@TempDir Path tmp) throws Exception {
        Path run = tmp.resolve("run");
        Path eval = tmp.resolve("eval");
        writeRunAndEval(run, eval);
        String evalUri = eval.toUri().toString(); // file:///.../eval/ (with the trailing slash of a folder)
        Path localRun;
        Path localEval;
        try (StagedInputs staged = new StagedInputs(new Configuration())) {
            localRun = staged.folder(run.toUri().toString(), "metrics.jsonl");
            localEval = staged.folder(evalUri, "results", "examples", "media");

            assertNotEquals(run, localRun, "a URI is copied, not read in place");
            assertEquals(Set.of("metrics.jsonl"), files(localRun));
            assertEquals(Set.of("results/text-image.test.json", "examples/text-image.test.json",
                    "media/image/k1.png", "media/audio/k2.wav"), files(localEval), "no embeddings/, no .crc files");
            assertFalse(Files.exists(localEval.resolve("embeddings")));
            assertArrayEquals(Files.readAllBytes(eval.resolve("media/image/k1.png")),
                    Files.readAllBytes(localEval.resolve("media/image/k1.png")));

            String shown = evalUri.replaceFirst("/$", "");
            assertEquals(shown, staged.shownAs(localEval));
            assertEquals(shown + "/results/text-image.test.json",
                    staged.shownAs(localEval.resolve("results/text-image.test.json")));
            assertEquals(run.toUri().toString().replaceFirst("/$", "") + "/metrics.jsonl",
                    staged.shownAs(localRun.resolve("metrics.jsonl")));

            Path plain = tmp.resolve("elsewhere");
            assertEquals(plain, staged.folder(plain.toString(), "results"), "a plain path is read in place");
            assertEquals(plain.toString(), staged.shownAs(plain));
        }
        assertFalse(Files.exists(localEval), "the copies are deleted on close");
        assertFalse(Files.exists(localRun.getParent()), "and so is their temporary folder");
        assertTrue(Files.isRegularFile(eval.resolve("embeddings/test/_SUCCESS")), "the originals stay");
    }

    @Test
    void aMissingFolderStaysMissingAndIsNamedByItsUri(@TempDir Path tmp) throws Exception {
        String missing = tmp.resolve("no-such-eval").toUri().toString();
        try (StagedInputs staged = new StagedInputs(new Configuration())) {
            Path local = staged.folder(missing, "results");
            assertFalse(Files.exists(local));
            assertEquals(missing, staged.shownAs(local));
            assertThrows(IllegalArgumentException.class, () -> staged.results(missing));
        }
    }

    @Test
    void aggregateInputsAreOnlyResultsFilesAtAnyDepthOrOneFile(@TempDir Path tmp) throws Exception {
        Path runs = tmp.resolve("runs");
        writeRunAndEval(runs.resolve("a/run"), runs.resolve("a/eval"));
        writeRunAndEval(runs.resolve("b/run"), runs.resolve("b/eval"));
        write(runs.resolve("b/eval/results/notes.txt"), "not a results file");
        try (StagedInputs staged = new StagedInputs(new Configuration())) {
            Path local = staged.results(runs.toUri().toString());
            assertEquals(Set.of("a/eval/results/text-image.test.json", "b/eval/results/text-image.test.json"),
                    files(local));
            assertEquals(runs.toUri() + "b/eval/results/text-image.test.json",
                    staged.shownAs(local.resolve("b/eval/results/text-image.test.json")));

            String one = runs.resolve("a/eval/results/text-image.test.json").toUri().toString();
            Path file = staged.results(one);
            assertEquals("text-image.test.json", file.getFileName().toString(), "a results file keeps its name");
            assertTrue(Files.isRegularFile(file));
            assertEquals(one, staged.shownAs(file));
        }
    }

    @Test
    void onlyUrisAreStaged() {
        assertTrue(StagedInputs.isUri("s3a://bucket/eval"));
        assertTrue(StagedInputs.isUri("hdfs://nn:8020/eval"));
        assertTrue(StagedInputs.isUri("file:///tmp/eval"));
        assertTrue(StagedInputs.isUri("file:/tmp/eval"));
        assertFalse(StagedInputs.isUri("/tmp/eval"));
        assertFalse(StagedInputs.isUri("eval"));
        assertFalse(StagedInputs.isUri("C:/eval"));
    }
}
