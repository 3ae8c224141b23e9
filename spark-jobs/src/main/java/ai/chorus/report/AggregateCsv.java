package ai.chorus.report;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code chorus report --aggregate}: one CSV row per evaluation results file, to compare runs in a spreadsheet.
 * Columns: path, task, model, dataset, split, pair, config_hash, then every metric any file has, in the order they
 * first appear (files in the order found); a metric a file does not have is an empty cell.
 */
public final class AggregateCsv {
    public static final List<String> FIXED = List.of("path", "task", "model", "dataset", "split", "pair", "config_hash");

    private AggregateCsv() {
    }

    /**
     * The results files of the inputs, each once, in the order given: a file is taken as it is, a folder is searched
     * recursively for {@code results/*.json} (sorted by path).
     */
    public static List<Path> find(List<Path> inputs) {
        Set<Path> found = new LinkedHashSet<>();
        for (Path in : inputs) {
            if (Files.isRegularFile(in)) {
                found.add(in);
            } else if (Files.isDirectory(in)) {
                try (Stream<Path> walk = Files.walk(in)) {
                    walk.filter(AggregateCsv::isResultsFile).sorted().forEach(found::add);
                } catch (IOException e) {
                    throw new UncheckedIOException("searching " + in, e);
                }
            } else {
                throw new IllegalArgumentException(in + " does not exist");
            }
        }
        return new ArrayList<>(found);
    }

    private static boolean isResultsFile(Path p) {
        Path parent = p.getParent();
        return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json") && parent != null
                && parent.getFileName() != null && parent.getFileName().toString().equals("results");
    }

    /** Reads every file (failing on one that is not a results file: a silently missing row misleads) and writes. */
    public static int write(List<Path> files, Path csv) {
        return write(files, Path::toString, csv);
    }

    /** As {@link #write(List, Path)}, with the path column from {@code shownAs} (e.g. the URI of a local copy). */
    public static int write(List<Path> files, Function<Path, String> shownAs, Path csv) {
        List<EvalResult> results = new ArrayList<>();
        for (Path f : files) {
            try {
                results.add(EvalResult.from(f, ReportInputs.JSON.readTree(f.toFile())));
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + shownAs.apply(f) + ": " + e.getMessage(), e);
            }
        }
        writeResults(results, shownAs, csv);
        return results.size();
    }

    static void writeResults(List<EvalResult> results, Function<Path, String> shownAs, Path csv) {
        Set<String> metrics = new LinkedHashSet<>();
        results.forEach(r -> metrics.addAll(r.metrics().keySet()));
        List<String> header = new ArrayList<>(FIXED);
        header.addAll(metrics);
        try {
            Path parent = csv.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (Writer w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8);
                 CSVPrinter out = new CSVPrinter(w, CSVFormat.RFC4180.builder().setHeader(header.toArray(String[]::new))
                         .build())) {
                for (EvalResult r : results) {
                    List<Object> row = new ArrayList<>(List.of(shownAs.apply(r.file()), r.task(), r.model(),
                            r.dataset(), r.split(), String.join("-", r.pair()), r.configHash()));
                    for (String m : metrics) {
                        Double v = r.metrics().get(m);
                        row.add(v == null ? "" : Double.toString(v));
                    }
                    out.printRecord(row);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + csv, e);
        }
    }
}
