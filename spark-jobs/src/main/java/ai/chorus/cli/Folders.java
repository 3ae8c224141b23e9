package ai.chorus.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Clean-up of the temporary folders commands work in, in one place so that every command leaves none behind. */
final class Folders {
    private Folders() {
    }

    /** Deletes {@code root} and everything below it (children first); best effort, as for a temporary folder. */
    static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
