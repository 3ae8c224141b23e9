package ai.chorus.report;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * What the HTML and Markdown templates show, worked out once from the inputs: tables as strings, charts and media
 * as links from {@link Assets}. Values are plain text here; each template's escaper makes them safe for its format.
 */
public record ReportView(String title, List<Fact> facts, List<String> notes, Training training,
                         List<RetrievalSection> retrieval, ZeroShot zeroShot, List<OtherSection> other,
                         List<ExampleSection> examples, boolean hasEvaluation) {

    public record Fact(String label, String value) {
    }

    public record Chart(String src, String alt) {
    }

    /** A table cell; numbers are right-aligned in the HTML. */
    public record Cell(String text, boolean num) {
        private static final java.util.regex.Pattern NUMBER =
                java.util.regex.Pattern.compile("–|-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

        static Cell of(String text) {
            return new Cell(text, NUMBER.matcher(text).matches());
        }
    }

    public record Row(List<Cell> cells) {
        static Row of(List<String> cells) {
            return new Row(cells.stream().map(Cell::of).toList());
        }
    }

    public record Table(List<String> header, List<Row> rows) {
    }

    public record Training(String file, List<Chart> charts, List<Fact> summary) {
    }

    public record RetrievalSection(String heading, String file, Table table, Chart recall, String note) {
    }

    public record ZeroShot(Table table, List<String> notes) {
    }

    public record OtherSection(String heading, String file, Table table) {
    }

    /** A query or candidate: text, or media (an image/strip, an audio player, else a link), or a missing file. */
    public record Item(String key, String text, String src, String mime, boolean image, boolean audio, boolean link,
                       String missing) {
    }

    public record Hit(Item item, String score, boolean relevant) {
    }

    public record ExampleRow(Item query, String rank, List<Hit> hits) {
    }

    public record ExampleSection(String heading, String note, Chart histogram, List<String> hitHeaders,
                                 List<ExampleRow> rows) {
    }

    public boolean hasRetrieval() {
        return !retrieval.isEmpty();
    }

    public boolean hasOther() {
        return !other.isEmpty();
    }

    public boolean hasExamples() {
        return !examples.isEmpty();
    }

    public boolean hasNotes() {
        return !notes.isEmpty();
    }

    /** @param shownAs how the run and evaluation folders are named (e.g. by the URI a local copy was made of) */
    static ReportView of(ReportInputs in, String title, ChartCache charts, Assets assets,
                         Function<Path, String> shownAs) {
        return new Builder(in, charts, assets, shownAs).build(title);
    }

    private static final class Builder {
        private final ReportInputs in;
        private final ChartCache charts;
        private final Assets assets;
        private final Function<Path, String> shownAs;
        private final List<String> notes;
        private int missingMedia;

        Builder(ReportInputs in, ChartCache charts, Assets assets, Function<Path, String> shownAs) {
            this.in = in;
            this.charts = charts;
            this.assets = assets;
            this.shownAs = shownAs;
            this.notes = new ArrayList<>(in.notes());
        }

        ReportView build(String title) {
            Training training = in.run().map(this::training).orElse(null);
            List<RetrievalSection> retrieval = in.results().stream().filter(EvalResult::isRetrieval)
                    .map(this::retrieval).toList();
            List<EvalResult> zeroShot = in.results().stream().filter(EvalResult::isClassification).toList();
            List<OtherSection> other = in.results().stream().filter(r -> !r.isRetrieval() && !r.isClassification())
                    .map(this::other).toList();
            List<ExampleSection> examples = new ArrayList<>();
            in.examples().keySet().stream().sorted().forEach(name -> examples.addAll(examples(name)));
            if (missingMedia > 0) {
                notes.add(missingMedia + " media file(s) that the examples name are missing from the evaluation "
                        + "folder (shown as \"missing\").");
            }
            String models = distinct(EvalResult::model);
            String heading = title != null && !title.isBlank() ? title
                    : "Chorus report" + (models.isEmpty() ? "" : ": " + models);
            return new ReportView(heading, facts(), notes, training, retrieval,
                    zeroShot.isEmpty() ? null : zeroShot(zeroShot), other, examples,
                    !in.results().isEmpty() || !in.examples().isEmpty());
        }

        private List<Fact> facts() {
            List<Fact> facts = new ArrayList<>();
            addFact(facts, "Model", distinct(EvalResult::model));
            addFact(facts, "Dataset", distinct(EvalResult::dataset));
            addFact(facts, "Split", distinct(EvalResult::split));
            addFact(facts, "Config hash", distinct(EvalResult::configHash));
            addFact(facts, "Training run", in.run().map(r -> shownAs.apply(r.file())).orElse("none"));
            addFact(facts, "Evaluation", in.evalFolder() == null ? "none" : shownAs.apply(in.evalFolder()));
            return facts;
        }

        private static void addFact(List<Fact> facts, String label, String value) {
            if (!value.isEmpty()) {
                facts.add(new Fact(label, value));
            }
        }

        /** The different non-empty values of a field over the results files, comma separated. */
        private String distinct(java.util.function.Function<EvalResult, String> field) {
            Set<String> values = new LinkedHashSet<>();
            in.results().stream().map(field).filter(v -> v != null && !v.isEmpty()).forEach(values::add);
            return String.join(", ", values);
        }

        private Training training(TrainingRun run) {
            List<Chart> list = new ArrayList<>();
            if (run.rounds().stream().anyMatch(r -> r.has("loss"))) {
                list.add(chart("loss.png", () -> Charts.loss(run), "Training loss per step"
                        + (run.rounds().stream().anyMatch(r -> r.has("val_loss")) ? ", validation loss as points" : "")));
            }
            if (run.rounds().stream().anyMatch(r -> r.has("learning_rate"))) {
                list.add(chart("learning-rate.png", () -> Charts.learningRate(run), "Learning rate per step"));
            }
            TrainingRun.Round last = run.last();
            List<Fact> summary = new ArrayList<>();
            summary.add(new Fact("rounds", Integer.toString(run.rounds().size())));
            for (String f : List.of("epoch", "step", "samples_seen", "loss", "learning_rate", "workers")) {
                if (last.has(f)) {
                    summary.add(new Fact("last " + f.replace('_', ' '), Numbers.format(last.value(f))));
                }
            }
            for (String f : run.validationFields()) {
                run.rounds().stream().filter(r -> r.has(f)).reduce((a, b) -> b).ifPresent(r ->
                        summary.add(new Fact("last " + f + " (step " + Numbers.format(r.step()) + ")",
                                Numbers.format(r.value(f)))));
            }
            if (last.has("samples_per_second")) {
                summary.add(new Fact("mean samples/s", Numbers.format(run.mean("samples_per_second"))));
            }
            for (String f : List.of("compute_seconds", "broadcast_seconds", "aggregate_seconds", "round_seconds")) {
                if (last.has(f)) {
                    summary.add(new Fact("total " + f.replace("_seconds", "") + " time (s)",
                            Numbers.format(run.total(f))));
                }
            }
            return new Training(shownAs.apply(run.file()), list, summary);
        }

        private RetrievalSection retrieval(EvalResult r) {
            List<String> measures = new ArrayList<>();
            for (String x : r.retrievedModalities()) {
                r.directionMetrics(x).keySet().stream().filter(m -> !measures.contains(m)).forEach(measures::add);
            }
            List<String> header = new ArrayList<>(List.of("direction"));
            measures.stream().map(Builder::measureLabel).forEach(header::add);
            List<Row> rows = new ArrayList<>();
            for (String x : r.retrievedModalities()) {
                Map<String, Double> m = r.directionMetrics(x);
                List<String> cells = new ArrayList<>(List.of(r.directionLabel(x)));
                measures.forEach(name -> cells.add(Numbers.metric(m.getOrDefault(name, Double.NaN))));
                rows.add(Row.of(cells));
                Map<String, Double> chance = r.directionChance(x);
                if (!chance.isEmpty()) {
                    List<String> random = new ArrayList<>(List.of(r.directionLabel(x) + ", random ranking"));
                    measures.forEach(name -> random.add(Numbers.metric(chance.getOrDefault(name, Double.NaN))));
                    rows.add(Row.of(random));
                }
            }
            Chart recall = r.recallKs().isEmpty() ? null : chart("recall-" + FileAssets.safe(r.name()) + ".png",
                    () -> Charts.recallAtK(r), "Recall@K of both directions, " + r.pairName());
            return new RetrievalSection(r.pairName(), relative(r.file()), new Table(header, rows), recall,
                    retrievalNote(r));
        }

        /** Split, how many queries against how many candidates each way, and the tie rule: what a number means. */
        private static String retrievalNote(EvalResult r) {
            List<String> parts = new ArrayList<>();
            if (!r.split().isEmpty()) {
                parts.add("Split: " + r.split() + ".");
            }
            List<String> sizes = new ArrayList<>();
            for (String x : r.retrievedModalities()) {
                Long q = r.sizes().get(x + "_retrieval_queries");
                Long c = r.sizes().get(x + "_retrieval_candidates");
                if (q != null && c != null) {
                    sizes.add(r.directionLabel(x) + ": " + q + " queries, each ranked against " + c + " candidates");
                }
            }
            if (sizes.isEmpty() && !r.sizes().isEmpty()) {
                r.sizes().forEach((k, v) -> sizes.add(k.replace('_', ' ') + " " + v));
            }
            if (!sizes.isEmpty()) {
                parts.add(String.join("; ", sizes) + ".");
            }
            if (!r.tieRule().isEmpty()) {
                parts.add("Ties: " + r.tieRule() + ".");
            }
            if (!r.configHash().isEmpty()) {
                parts.add("Config hash " + r.configHash() + ".");
            }
            return String.join(" ", parts);
        }

        private static String measureLabel(String measure) {
            if (measure.startsWith("recall@")) {
                return "R@" + measure.substring("recall@".length());
            }
            return "map".equals(measure) ? "mAP" : measure.replace('_', ' ');
        }

        private ZeroShot zeroShot(List<EvalResult> results) {
            List<String> metrics = new ArrayList<>();
            results.forEach(r -> r.metrics().keySet().stream().filter(m -> !metrics.contains(m)).forEach(metrics::add));
            List<String> header = new ArrayList<>(List.of("evaluation", "dataset", "split", "classes"));
            metrics.stream().map(m -> m.replace('_', ' ')).forEach(header::add);
            List<Row> rows = new ArrayList<>();
            List<String> notes = new ArrayList<>();
            for (EvalResult r : results) {
                List<String> cells = new ArrayList<>(List.of(r.name(), r.dataset(), r.split(),
                        Objects.toString(r.sizes().getOrDefault("classes", null), "–")));
                metrics.forEach(m -> cells.add(Numbers.metric(r.metrics().getOrDefault(m, Double.NaN))));
                rows.add(Row.of(cells));
                List<String> sizes = new ArrayList<>();
                r.sizes().forEach((k, v) -> sizes.add(v + " " + k.replace('_', ' ')));
                notes.add(r.name() + " (" + relative(r.file()) + "): " + (r.split().isEmpty() ? "" : "split " + r.split()
                        + ", ") + String.join(", ", sizes) + (r.tieRule().isEmpty() ? "" : "; ties: " + r.tieRule())
                        + ".");
            }
            return new ZeroShot(new Table(header, rows), notes);
        }

        private OtherSection other(EvalResult r) {
            List<Row> rows = new ArrayList<>();
            r.metrics().forEach((k, v) -> rows.add(Row.of(List.of(k, Numbers.metric(v)))));
            return new OtherSection(r.task().isEmpty() ? r.name() : r.name() + " (" + r.task() + ")",
                    relative(r.file()), new Table(List.of("metric", "value"), rows));
        }

        private List<ExampleSection> examples(String name) {
            PairExamples pair = in.examples().get(name);
            List<ExampleSection> sections = new ArrayList<>();
            for (int d = 0; d < pair.directions().size(); d++) {
                PairExamples.Direction dir = pair.directions().get(d);
                Chart histogram = dir.ranks().length == 0 ? null : chart(
                        "ranks-" + FileAssets.safe(name) + "-" + d + ".png", () -> Charts.rankHistogram(dir),
                        "Histogram of the rank of the first relevant candidate, " + dir.label());
                int width = dir.examples().stream().mapToInt(e -> e.top().size()).max().orElse(0);
                List<String> hitHeaders = IntStream.rangeClosed(1, width).mapToObj(i -> "#" + i).toList();
                List<ExampleRow> rows = dir.examples().stream().map(e -> new ExampleRow(
                        item(e.query()), Integer.toString(e.rank()),
                        e.top().stream().map(h -> new Hit(item(h.item()), Numbers.metric(h.score()), h.relevant()))
                                .toList())).toList();
                String note = dir.ranks().length + " queries" + (dir.candidates() > 0 ? ", each ranked against "
                        + dir.candidates() + " candidates" : "") + (pair.split().isEmpty() ? "" : ", split "
                        + pair.split()) + ". Rank is the rank of the query's first relevant candidate; "
                        + "✓ marks relevant candidates among the top " + width + ".";
                sections.add(new ExampleSection(dir.label() + " (" + name + ")", note, histogram, hitHeaders, rows));
            }
            return sections;
        }

        private Item item(PairExamples.Item it) {
            if (it.media() == null) {
                return new Item(it.key(), Objects.toString(it.text(), ""), null, null, false, false, false, null);
            }
            Path root = in.evalFolder().toAbsolutePath().normalize();
            Path file = root.resolve(it.media()).normalize();
            // A media path must stay inside the evaluation folder: the report embeds what it points to.
            if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                missingMedia++;
                return new Item(it.key(), it.text(), null, null, false, false, false, "missing: " + it.media());
            }
            String mime = MediaTypes.of(file.getFileName().toString());
            boolean image = MediaTypes.isImage(mime);
            boolean audio = MediaTypes.isAudio(mime);
            return new Item(it.key(), it.text(), assets.media(file, mime), mime, image, audio, !image && !audio, null);
        }

        private Chart chart(String name, java.util.function.Supplier<byte[]> draw, String alt) {
            return new Chart(assets.put(name, "image/png", charts.get(name, draw)), alt);
        }

        private String relative(Path file) {
            if (in.evalFolder() != null) {
                Path root = in.evalFolder().toAbsolutePath().normalize();
                Path f = file.toAbsolutePath().normalize();
                if (f.startsWith(root)) {
                    return root.relativize(f).toString();
                }
            }
            return file.toString();
        }
    }
}
