package ai.chorus.cli;

import ai.chorus.config.ChorusConfig;
import ai.chorus.report.AggregateCsv;
import ai.chorus.report.ReportWriter;
import com.typesafe.config.Config;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Write a report of a training run and/or an evaluation: OUT/report.html (one self-contained "
                + "file: loss and learning-rate curves, metric tables, Recall@K and rank charts, retrieval examples "
                + "with thumbnails and audio) and OUT/report.md with its charts and media under OUT/assets/. "
                + "With --aggregate: one CSV row per results file (results/*.json, searched recursively) of the "
                + "given folders or files, to compare runs.",
                "Folders and files may be on any Hadoop filesystem (s3a://, hdfs://, file:), with its settings from "
                + "-c, e.g. -c conf/storage/s3a.conf: only what the report reads is copied to a local temporary "
                + "folder (metrics.jsonl; results/, examples/, media/; never models, checkpoints or "
                + "embeddings) and deleted afterwards. The report itself (--out) is always written locally."})
final class ReportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConfigOptions config;

    @Option(names = "--run", paramLabel = "DIR",
            description = "Training run folder (with metrics.jsonl), a path or URI.")
    String run;

    @Option(names = "--eval", paramLabel = "DIR",
            description = "Evaluation folder (results/, examples/, media), a path or URI.")
    String eval;

    @Option(names = "--out", paramLabel = "PATH", required = true,
            description = "Local report folder; with --aggregate, the local CSV file.")
    Path out;

    @Option(names = "--title", description = "Report title (default: from the model's name).")
    String title;

    @Option(names = "--aggregate", description = "Write the CSV of many evaluations instead of a report.")
    boolean aggregate;

    /** Picocli gives every positional argument to this and to the mixin's KEY=VALUE list: {@link #call} splits them. */
    @Parameters(paramLabel = "PATH", arity = "0..*",
            description = {"With --aggregate: evaluation folders, run folders or results JSON files (paths or URIs).",
                    "An argument KEY=VALUE whose KEY has no '/' or ':' is an override (write ./a=b for a path)."})
    List<String> positional = List.of();

    @Override
    public Integer call() throws IOException {
        List<String> overrides = new ArrayList<>();
        List<String> paths = new ArrayList<>();
        positional.forEach(arg -> (isOverride(arg) ? overrides : paths).add(arg));
        checkUsage(paths);
        Config conf = ChorusConfig.load(config.files, overrides);
        try (StagedInputs staged = new StagedInputs(HadoopConfs.from(conf))) {
            if (aggregate) {
                List<Path> local = new ArrayList<>();
                for (String p : paths) {
                    local.add(staged.results(p));
                }
                List<Path> files = AggregateCsv.find(local);
                if (files.isEmpty()) {
                    throw new IllegalArgumentException("no results/*.json under " + paths);
                }
                int rows = AggregateCsv.write(files, staged::shownAs, out);
                System.out.println(out);
                System.err.println(rows + " evaluation(s) in " + out);
                return 0;
            }
            Path runFolder = run == null ? null : staged.folder(run, "metrics.jsonl");
            Path evalFolder = eval == null ? null : staged.folder(eval, "results", "examples", "media");
            System.out.println(ReportWriter.write(runFolder, evalFolder, out, title, staged::shownAs));
            return 0;
        }
    }

    private void checkUsage(List<String> paths) {
        if (aggregate) {
            if (paths.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--aggregate needs folders or results files");
            }
            if (run != null || eval != null || title != null) {
                throw new ParameterException(spec.commandLine(), "--aggregate takes paths, not --run/--eval/--title");
            }
        } else if (!paths.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "paths are for --aggregate; a report takes --run/--eval");
        } else if (run == null && eval == null) {
            throw new ParameterException(spec.commandLine(), "give --run, --eval or both");
        }
    }

    /** A configuration override, not a path: the text before its first '=' has no '/' or ':' (as a URI would). */
    static boolean isOverride(String arg) {
        int eq = arg.indexOf('=');
        return eq > 0 && arg.substring(0, eq).chars().noneMatch(c -> c == '/' || c == ':');
    }
}
