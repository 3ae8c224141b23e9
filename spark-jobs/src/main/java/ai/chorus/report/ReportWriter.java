package ai.chorus.report;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * {@code chorus report}: reads a training run and/or an evaluation folder and writes {@code report.html} (one
 * self-contained file) and {@code report.md} with {@code assets/} into the output folder.
 */
public final class ReportWriter {
    private ReportWriter() {
    }

    /**
     * @param run   training run folder (with metrics.jsonl), or null
     * @param eval  evaluation folder (results/, examples/, media), or null
     * @param title the report's title, or null for one from the model's name
     * @return the path of report.html
     */
    public static Path write(Path run, Path eval, Path out, String title) {
        return write(run, eval, out, title, Path::toString);
    }

    /**
     * As {@link #write(Path, Path, Path, String)}, naming the folders' files in the report by {@code shownAs}: a local
     * copy of a remote folder is named by its URI, not by a temporary path that is gone once the report is written.
     */
    public static Path write(Path run, Path eval, Path out, String title, Function<Path, String> shownAs) {
        ReportInputs inputs = ReportInputs.read(run, eval, shownAs);
        ChartCache charts = new ChartCache();
        Path html = out.resolve(HtmlReport.FILE);
        HtmlReport.write(ReportView.of(inputs, title, charts, new InlineAssets(), shownAs), html);
        MarkdownReport.write(ReportView.of(inputs, title, charts, new FileAssets(out), shownAs),
                out.resolve(MarkdownReport.FILE));
        return html;
    }
}
