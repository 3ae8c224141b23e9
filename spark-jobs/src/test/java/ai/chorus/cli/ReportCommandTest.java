package ai.chorus.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
