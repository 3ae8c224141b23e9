package ai.chorus.tests;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the checkout is: tests run with the tests module as working folder (Surefire sets chorus.repo). */
final class Repo {
    private Repo() {
    }

    static Path root() {
        Path p = Path.of(System.getProperty("chorus.repo", "..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(p.resolve("pom.xml")) || !Files.isDirectory(p.resolve("conf"))) {
            throw new IllegalStateException("not the Chorus checkout: " + p);
        }
        return p;
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }
}
