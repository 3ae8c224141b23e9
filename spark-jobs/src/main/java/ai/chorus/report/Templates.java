package ai.chorus.report;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.MustacheFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Renders a report template from {@code ai/chorus/report/} on the classpath into a UTF-8 file. */
final class Templates {
    static final String ROOT = "ai/chorus/report";

    private Templates() {
    }

    static void render(MustacheFactory factory, String template, ReportView view, Path out) {
        try {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                factory.compile(template).execute(w, view);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + out, e);
        }
    }

    /** Mustache's default: {{x}} is HTML-escaped (captions may hold {@code <script>} or {@code &}). */
    static MustacheFactory html() {
        return new DefaultMustacheFactory(ROOT);
    }
}
