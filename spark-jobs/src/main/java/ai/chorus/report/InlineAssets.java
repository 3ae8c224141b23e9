package ai.chorus.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** Everything as data: URIs, so the HTML report is one file that opens anywhere, with no network. */
public final class InlineAssets implements Assets {
    // A thumbnail can be in several top-5 lists: encode it once.
    private final Map<Path, String> media = new HashMap<>();

    @Override
    public String put(String name, String mime, byte[] bytes) {
        return "data:" + mime + ";base64," + Base64.getEncoder().encodeToString(bytes);
    }

    @Override
    public String media(Path file, String mime) {
        return media.computeIfAbsent(file, f -> {
            try {
                return put(f.getFileName().toString(), mime, Files.readAllBytes(f));
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + f, e);
            }
        });
    }
}
