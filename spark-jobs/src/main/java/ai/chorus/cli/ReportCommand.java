package ai.chorus.cli;

import ai.chorus.report.AggregateCsv;
import ai.chorus.report.ReportWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write a report of a training run and/or an evaluation: OUT/report.html (one self-contained",
                "file: loss and learning-rate curves, metric tables, Recall@K and rank charts, retrieval examples",
                "with thumbnails and audio) and OUT/report.md with its charts and media under OUT/assets/.",
                "With --aggregate: one CSV row per results file (results/*.json, searched recursively) of the",
                "given folders or files, to compare runs."})
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--run", paramLabel = "DIR", description = "Training run folder (with metrics.jsonl).")
    Path run;

    @Option(names = "--eval", paramLabel = "DIR", description = "Evaluation folder (results/, examples/, media).")
    Path eval;

    @Option(names = "--out", paramLabel = "PATH", required = true,
            description = "Report folder; with --aggregate, the CSV file.")
    Path out;

    @Option(names = "--title", description = "Report title (default: from the model's name).")
    String title;

    @Option(names = "--aggregate", description = "Write the CSV of many evaluations instead of a report.")
    boolean aggregate;

    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = "With --aggregate: evaluation folders, run folders or results JSON files.")
    List<Path> inputs = List.of();

    @Override
    public Integer call() {
        if (aggregate) {
            if (inputs.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--aggregate needs folders or results files");
            }
            if (run != null || eval != null || title != null) {
                throw new ParameterException(spec.commandLine(), "--aggregate takes paths, not --run/--eval/--title");
            }
            List<Path> files = AggregateCsv.find(inputs);
            if (files.isEmpty()) {
                throw new IllegalArgumentException("no results/*.json under " + inputs);
            }
            int rows = AggregateCsv.write(files, out);
            System.out.println(out);
            System.err.println(rows + " evaluation(s) in " + out);
            return 0;
        }
        if (!inputs.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "paths are for --aggregate; a report takes --run/--eval");
        }
        if (run == null && eval == null) {
            throw new ParameterException(spec.commandLine(), "give --run, --eval or both");
        }
        System.out.println(ReportWriter.write(run, eval, out, title));
        return 0;
    }
}
