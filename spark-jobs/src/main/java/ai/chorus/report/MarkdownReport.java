package ai.chorus.report;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.MustacheFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;

/** {@code report.md}: the same content for Markdown viewers, charts and media as files under {@code assets/}. */
public final class MarkdownReport {
    public static final String FILE = "report.md";

    private MarkdownReport() {
    }

    static void write(ReportView view, Path out) {
        Templates.render(factory(), "report.md.mustache", view, out);
    }

    private static MustacheFactory factory() {
        return new DefaultMustacheFactory(Templates.ROOT) {
            @Override
            public void encode(String value, Writer writer) {
                try {
                    writer.write(escape(value));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /**
     * Text from the data as Markdown shows it literally: HTML special characters as entities (renderers pass raw
     * HTML through), Markdown's inline markup and table pipes backslash-escaped, line breaks as spaces (a line break
     * would end a table row).
     */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '\r', '\n' -> b.append(' ');
                case '\\', '`', '*', '_', '[', ']', '|', '~', '#', '!' -> b.append('\\').append(c);
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
