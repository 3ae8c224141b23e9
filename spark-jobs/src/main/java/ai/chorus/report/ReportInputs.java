package ai.chorus.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * What a report is made of, read from a training run folder ({@code metrics.jsonl}) and an evaluation folder
 * ({@code results/*.json}, {@code examples/*.json}, media files). Either may be missing: whatever is missing or
 * unreadable becomes a note for the reader instead of an error, so a report is always written.
 */
public record ReportInputs(Optional<TrainingRun> run, Path evalFolder, List<EvalResult> results,
                           Map<String, PairExamples> examples, List<String> notes) {
    static final ObjectMapper JSON = new ObjectMapper();

    public ReportInputs {
        results = List.copyOf(results);
        examples = Map.copyOf(examples);
        notes = List.copyOf(notes);
    }

    /** Reads both folders; {@code run} or {@code eval} may be null (not given). */
    public static ReportInputs read(Path run, Path eval) {
        return read(run, eval, Path::toString);
    }

    /** Reads both folders, naming their files in notes by {@code shownAs} (e.g. the URI a local copy was made of). */
    public static ReportInputs read(Path run, Path eval, Function<Path, String> shownAs) {
        List<String> notes = new ArrayList<>();
        Optional<TrainingRun> training = readRun(run, shownAs, notes);
        List<EvalResult> results = new ArrayList<>();
        Map<String, PairExamples> examples = new LinkedHashMap<>();
        if (eval == null) {
            notes.add("No evaluation folder was given (--eval): there are no evaluation results or examples.");
        } else if (!Files.isDirectory(eval)) {
            notes.add("The evaluation folder " + shownAs.apply(eval)
                    + " does not exist: there are no evaluation results or examples.");
        } else {
            readResults(eval, shownAs, results, notes);
            readExamples(eval, shownAs, results, examples, notes);
        }
        return new ReportInputs(training, eval, results, examples, notes);
    }

    /** The examples of a results file: same name under examples/ (e.g. text-image). */
    public Optional<PairExamples> examplesOf(EvalResult result) {
        return Optional.ofNullable(examples.get(result.name()));
    }

    private static Optional<TrainingRun> readRun(Path run, Function<Path, String> shownAs, List<String> notes) {
        if (run == null) {
            notes.add("No training run folder was given (--run): there are no training curves.");
            return Optional.empty();
        }
        Path file = run.resolve("metrics.jsonl");
        if (!Files.isRegularFile(file)) {
            notes.add("The training run folder " + shownAs.apply(run)
                    + (Files.isDirectory(run) ? " has no metrics.jsonl" : " does not exist")
                    + ": there are no training curves.");
            return Optional.empty();
        }
        List<TrainingRun.Round> rounds = new ArrayList<>();
        int bad = 0;
        for (String line : readLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            try {
                rounds.add(new TrainingRun.Round(JsonFields.numbers(JSON.readTree(line))));
            } catch (JsonProcessingException e) {
                bad++; // a line cut by a killed run: the rest of the curve is still worth showing
            }
        }
        if (bad > 0) {
            notes.add(bad + " line(s) of " + shownAs.apply(file) + " are not JSON and were skipped.");
        }
        if (rounds.isEmpty()) {
            notes.add(shownAs.apply(file) + " has no rounds: there are no training curves.");
            return Optional.empty();
        }
        return Optional.of(new TrainingRun(file, rounds));
    }

    private static void readResults(Path eval, Function<Path, String> shownAs, List<EvalResult> results,
                                    List<String> notes) {
        List<Path> files = jsonFiles(eval.resolve("results"));
        if (files.isEmpty()) {
            notes.add("The evaluation folder " + shownAs.apply(eval) + " has no results/*.json.");
        }
        for (Path f : files) {
            try {
                results.add(EvalResult.from(f, JSON.readTree(f.toFile())));
            } catch (IOException | IllegalArgumentException e) {
                notes.add("Could not read " + shownAs.apply(f) + ": " + e.getMessage());
            }
        }
    }

    private static void readExamples(Path eval, Function<Path, String> shownAs, List<EvalResult> results,
                                     Map<String, PairExamples> examples, List<String> notes) {
        for (Path f : jsonFiles(eval.resolve("examples"))) {
            String name = f.getFileName().toString().replaceFirst("\\.json$", "");
            try {
                examples.put(name, PairExamples.from(f, JSON.readTree(f.toFile())));
            } catch (IOException | IllegalArgumentException e) {
                notes.add("Could not read " + shownAs.apply(f) + ": " + e.getMessage());
            }
        }
        for (EvalResult r : results) {
            if (r.isRetrieval() && !examples.containsKey(r.name())) {
                notes.add("No retrieval examples for " + r.name() + " (examples/" + r.name()
                        + ".json): no rank histograms or example queries for it.");
            }
        }
    }

    /** The *.json files directly in {@code folder}, by name; none if it does not exist. */
    static List<Path> jsonFiles(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p)).sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("listing " + folder, e);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }
}
