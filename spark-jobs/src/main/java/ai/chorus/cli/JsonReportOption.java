package ai.chorus.cli;

import ai.chorus.bench.ReportJson;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

/** The {@code --json PATH} option of the benchmark commands, and what it does, alike for all of them. */
final class JsonReportOption {
    @Option(names = "--json", paramLabel = "PATH", description = "Also write the results as JSON here.")
    Path path;

    /** Writes {@code report} as JSON if {@code --json} was given, and says where on {@code out}. */
    void writeIfAsked(Object report, PrintStream out) throws IOException {
        if (path != null) {
            ReportJson.write(report, path);
            out.println("json: " + path);
        }
    }
}
