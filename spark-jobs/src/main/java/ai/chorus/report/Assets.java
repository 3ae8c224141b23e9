package ai.chorus.report;

import java.nio.file.Path;

/**
 * Where a report's charts and media go, and the link to put in the page: inlined as data: URIs (the single-file
 * HTML) or written as files next to the report (the Markdown, whose viewers do not show data: URIs).
 */
public interface Assets {
    /** A generated file (a chart): {@code name} is unique within the report and safe as a file name. */
    String put(String name, String mime, byte[] bytes);

    /** A media file of the evaluation folder, by its path. */
    String media(Path file, String mime);
}
