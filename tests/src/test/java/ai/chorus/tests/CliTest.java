package ai.chorus.tests;

import ai.chorus.cli.ChorusCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line: every command has help; bad configuration fails before any work with exit code 2. */
class CliTest {
    record Run(int exit, String out, String err) {
    }

    static Run capture(IntSupplier command) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = command.getAsInt();
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"prepare", "bench-prep"})
    void everyCommandHasHelp(String command) {
        Run run = capture(() -> ChorusCli.run(command, "--help"));
        assertEquals(0, run.exit());
        assertTrue(run.out().contains("Usage: chorus " + command), run.out());
        assertTrue(run.out().contains("KEY=VALUE"), run.out());
    }

    @Test
    void topLevelHelpListsTheCommands() {
        Run run = capture(() -> ChorusCli.run("--help"));
        assertEquals(0, run.exit());
        assertTrue(run.out().contains("prepare") && run.out().contains("bench-prep"), run.out());
    }

    @Test
    void unknownKeyFailsWithExitCode2NamingTheKey() {
        Run run = capture(() -> ChorusCli.run("prepare", "chorus.prep.imag.size=64"));
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("chorus.prep.imag.size"), run.err());
        assertTrue(run.err().contains("did you mean 'chorus.prep.image.size'"), run.err());
    }

    @Test
    void missingManifestFailsWithExitCode2NamingTheKey() {
        Run run = capture(() -> ChorusCli.run("prepare", "chorus.prep.output.path=/tmp/chorus-cli-test"));
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("chorus.prep.input.manifest") && run.err().contains("is not set"), run.err());
    }

    @Test
    void manifestThatDoesNotExistFailsWithExitCode2() {
        Run run = capture(() -> ChorusCli.run("prepare", "chorus.spark.master=\"local[1]\"",
                "chorus.prep.input.manifest=/nonexistent/manifest.csv", "chorus.prep.output.path=/tmp/chorus-cli-test"));
        assertEquals(2, run.exit(), run.err());
        assertTrue(run.err().contains("/nonexistent/manifest.csv") && run.err().contains("does not exist"), run.err());
    }
}
