package ai.chorus.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code chorus report}'s options: what each mode needs, and bad usage as exit code 2 with the reason. */
class ReportCommandTest {
    private record Run(int exit, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = new CommandLine(new ReportCommand());
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        return new Run(cli.execute(args), err.toString());
    }

    @Test
    void writesAReportOfARunAlone(@TempDir Path tmp) throws Exception {
        Path runFolder = Files.createDirectories(tmp.resolve("run"));
        Files.writeString(runFolder.resolve("metrics.jsonl"), "{\"round\":0,\"step\":1,\"loss\":2.0,\"learning_rate\":0.001}\n"
                + "{\"round\":1,\"step\":2,\"loss\":1.5,\"learning_rate\":0.001}\n");
        Run r = run("--run", runFolder.toString(), "--out", tmp.resolve("out").toString(), "--title", "Run 1");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.readString(tmp.resolve("out/report.html")).contains("<h1>Run 1</h1>"));
        assertTrue(Files.isRegularFile(tmp.resolve("out/report.md")));
    }

    @Test
    void aggregatesResultsIntoACsv(@TempDir Path tmp) throws Exception {
        Files.createDirectories(tmp.resolve("e/results"));
        Files.writeString(tmp.resolve("e/results/t.json"), "{\"task\":\"zeroshot_classification\",\"metrics\":{\"acc1\":0.5}}");
        Run r = run("--aggregate", "--out", tmp.resolve("runs.csv").toString(), tmp.resolve("e").toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, Files.readAllLines(tmp.resolve("runs.csv")).size());
    }

    /** A run and an evaluation folder with one text-image retrieval, its examples and their two PNG thumbnails. */
    private static void writeRunAndEval(Path run, Path eval) throws Exception {
        StagedInputsTest.writeRunAndEval(run, eval); // and what a report must not read: models, embeddings
        Files.writeString(eval.resolve("results/text-image.test.json"), """
                {"task":"zeroshot_retrieval","model":"clip","split":"test","pair":["text","image"],
                 "metrics":{"image_retrieval_recall@1":0.5,"text_retrieval_recall@1":0.4}}""");
        Files.writeString(eval.resolve("examples/text-image.test.json"), """
                {"pair":["text","image"],"split":"test","directions":[
                  {"name":"image_retrieval","query_modality":"text","candidate_modality":"image","ranks":[1,2],
                   "candidates":2,"examples":[{"query":{"key":"q1","text":"a red card","media":null},"rank":1,
                     "top":[{"key":"k1","score":0.5,"relevant":true,"text":null,"media":"media/image/k1.png"},
                            {"key":"k2","score":0.4,"relevant":false,"text":null,"media":"media/image/k2.png"}]}]}]}""");
        for (String key : List.of("k1", "k2")) {
            BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            ImageIO.write(img, "png", eval.resolve("media/image/" + key + ".png").toFile());
        }
    }

    @Test
    void readsFoldersGivenAsUrisThroughHadoopAndNamesThemByTheirUris(@TempDir Path tmp) throws Exception {
        Path runFolder = tmp.resolve("run");
        Path evalFolder = tmp.resolve("eval");
        writeRunAndEval(runFolder, evalFolder);
        String evalUri = "file://" + evalFolder.toAbsolutePath();
        Run r = run("--run", runFolder.toUri().toString(), "--eval", evalUri, "--out", tmp.resolve("out").toString());
        assertEquals(0, r.exit(), r.err());
        String html = Files.readString(tmp.resolve("out/report.html"));
        assertEquals(2, html.split("<img class=\"thumb\"", -1).length - 1, "both thumbnails, read from the copy");
        assertTrue(html.contains("<h2>Training</h2>") && html.contains("<h2>Retrieval examples</h2>"));
        assertTrue(html.contains(evalUri), "the evaluation is named by its URI");
        assertTrue(html.contains(runFolder.toUri() + "metrics.jsonl"), "and the run too");
        assertFalse(html.contains("chorus-report-"), "not by the temporary copy, gone by now");
        assertFalse(html.contains("<h2>Notes</h2>"), "nothing is missing");
    }

    @Test
    void aggregatesResultsGivenAsUrisWithTheirUrisAsPaths(@TempDir Path tmp) throws Exception {
        writeRunAndEval(tmp.resolve("a/run"), tmp.resolve("a/eval"));
        writeRunAndEval(tmp.resolve("b/run"), tmp.resolve("b/eval"));
        Path csv = tmp.resolve("runs.csv");
        Run r = run("--aggregate", "--out", csv.toString(), tmp.toUri().toString(),
                "chorus.spark.conf.\"spark.hadoop.fs.file.impl.disable.cache\"=true");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(1).startsWith(tmp.toUri() + "a/eval/results/text-image.test.json,"), lines.get(1));
        assertTrue(lines.get(2).startsWith(tmp.toUri() + "b/eval/results/text-image.test.json,"), lines.get(2));
    }

    @Test
    void overridesReachHadoopAndPathsAreNotTakenForOverrides(@TempDir Path tmp) throws Exception {
        writeRunAndEval(tmp.resolve("run"), tmp.resolve("eval"));
        String out = tmp.resolve("out").toString();
        // A filesystem class that does not exist: the override is in the Hadoop configuration the copy uses.
        Run broken = run("--eval", tmp.resolve("eval").toUri().toString(), "--out", out,
                "chorus.spark.conf.\"spark.hadoop.fs.file.impl\"=no.such.FileSystem");
        assertEquals(1, broken.exit());
        assertTrue(broken.err().contains("no.such.FileSystem"), broken.err());
        assertFalse(Files.exists(tmp.resolve("out/report.html")));

        assertTrue(ReportCommand.isOverride("chorus.spark.conf.\"spark.hadoop.fs.s3a.endpoint\"=http://h:9000"));
        assertTrue(ReportCommand.isOverride("a=b"));
        assertFalse(ReportCommand.isOverride("s3a://bucket/runs/lr=0.1"));
        assertFalse(ReportCommand.isOverride("/data/lr=0.1"));
        assertFalse(ReportCommand.isOverride("./a=b"));
        assertFalse(ReportCommand.isOverride("eval"));
    }

    @Test
    void badUsageIsExitCode2WithTheReason(@TempDir Path tmp) {
        String out = tmp.resolve("out").toString();
        Run none = run("--out", out);
        assertEquals(2, none.exit());
        assertTrue(none.err().contains("give --run, --eval or both"), none.err());
        Run noPaths = run("--aggregate", "--out", out);
        assertEquals(2, noPaths.exit());
        assertTrue(noPaths.err().contains("--aggregate needs folders or results files"), noPaths.err());
        Run mixed = run("--aggregate", "--eval", out, "--out", out, out);
        assertEquals(2, mixed.exit());
        Run pathsWithoutAggregate = run("--eval", out, "--out", out, out);
        assertEquals(2, pathsWithoutAggregate.exit());
        assertTrue(pathsWithoutAggregate.err().contains("paths are for --aggregate"), pathsWithoutAggregate.err());
        assertEquals(2, run("--eval", out).exit(), "--out is required");
    }
}
