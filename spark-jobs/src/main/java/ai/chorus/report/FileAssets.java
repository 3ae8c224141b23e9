package ai.chorus.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Charts and media as files under {@code <out>/assets/}, linked relatively, so the Markdown report and its folder
 * can be moved together. Media get a new, numbered name: two examples folders may both hold "media/k1.png".
 */
public final class FileAssets implements Assets {
    public static final String FOLDER = "assets";
    private final Path folder;
    private final Map<Path, String> copied = new HashMap<>();

    public FileAssets(Path reportFolder) {
        this.folder = reportFolder.resolve(FOLDER);
    }

    @Override
    public String put(String name, String mime, byte[] bytes) {
        try {
            Files.createDirectories(folder);
            Files.write(folder.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("writing " + folder.resolve(name), e);
        }
        return FOLDER + "/" + name;
    }

    @Override
    public String media(Path file, String mime) {
        return copied.computeIfAbsent(file, f -> {
            String name = "media-" + (copied.size() + 1) + "-" + safe(f.getFileName().toString());
            try {
                Files.createDirectories(folder);
                Files.copy(f, folder.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException("copying " + f, e);
            }
            return FOLDER + "/" + name;
        });
    }

    /** Letters, digits, dot, dash and underscore only: the name goes into a Markdown link unescaped. */
    static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
