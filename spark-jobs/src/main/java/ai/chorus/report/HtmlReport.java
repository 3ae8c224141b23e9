package ai.chorus.report;

import java.nio.file.Path;

/** {@code report.html}: one self-contained file (charts and media inlined as data: URIs, no script, no network). */
public final class HtmlReport {
    public static final String FILE = "report.html";

    private HtmlReport() {
    }

    static void write(ReportView view, Path out) {
        Templates.render(Templates.html(), "report.html.mustache", view, out);
    }
}
