package ai.chorus.config;

import ai.chorus.prep.PrepareOptions;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChorusConfigTest {
    @TempDir
    Path tmp;

    private File conf(String text) throws Exception {
        Path p = tmp.resolve("corpus.conf");
        Files.writeString(p, text);
        return p.toFile();
    }

    @Test
    void commandLineBeatsSystemPropertiesBeatsFilesBeatsReference() throws Exception {
        File file = conf("chorus.prep.image.size = 100\nchorus.prep.audio.n-mels = 80\nchorus.prep.video.frames = 4\n");
        System.setProperty("chorus.prep.audio.n-mels", "96");
        System.setProperty("chorus.prep.video.frames", "6");
        try {
            Config c = ChorusConfig.load(List.of(file), List.of("chorus.prep.video.frames=12"));
            assertEquals(100, c.getInt("chorus.prep.image.size"));
            assertEquals(96, c.getInt("chorus.prep.audio.n-mels"));
            assertEquals(12, c.getInt("chorus.prep.video.frames"));
            assertEquals(16000, c.getInt("chorus.prep.audio.sample-rate"), "reference default");
        } finally {
            System.clearProperty("chorus.prep.audio.n-mels");
            System.clearProperty("chorus.prep.video.frames");
        }
    }

    @Test
    void unknownKeyNamesFileKeyAndSuggestion() throws Exception {
        File file = conf("chorus.prep.imgae.size = 64\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ChorusConfig.load(List.of(file), List.of()));
        assertTrue(e.getMessage().contains("corpus.conf"), e.getMessage());
        assertTrue(e.getMessage().contains("chorus.prep.imgae.size"), e.getMessage());
        assertTrue(e.getMessage().contains("did you mean 'chorus.prep.image.size'"), e.getMessage());
    }

    @Test
    void missingRequiredKeyNamesTheKeyAndWhatWasExpected() {
        Config c = ChorusConfig.load(List.of(), List.of("chorus.prep.output.path=/tmp/x"));
        ConfigException e = assertThrows(ConfigException.class, () -> PrepareOptions.fromConfig(c));
        assertTrue(e.getMessage().contains("chorus.prep.input.manifest"), e.getMessage());
        assertTrue(e.getMessage().contains("is not set"), e.getMessage());
    }

    @Test
    void wrongValueNamesKeyFileLineAndExpectation() throws Exception {
        File file = conf("chorus.prep {\n  input.manifest = x.csv\n  output.path = out\n  image.resize-mode = squash\n}\n");
        Config c = ChorusConfig.load(List.of(file), List.of());
        ConfigException e = assertThrows(ConfigException.class, () -> PrepareOptions.fromConfig(c));
        assertTrue(e.getMessage().contains("resize-mode"), e.getMessage());
        assertTrue(e.getMessage().contains("corpus.conf: 4"), e.getMessage());
        assertTrue(e.getMessage().contains("center-crop"), e.getMessage());
    }

    @Test
    void wrongTypeNamesKeyAndType() {
        Config c = ChorusConfig.load(List.of(), List.of("chorus.prep.input.manifest=x.csv",
                "chorus.prep.output.path=out", "chorus.prep.image.size=large"));
        ConfigException e = assertThrows(ConfigException.class, () -> PrepareOptions.fromConfig(c));
        assertTrue(e.getMessage().contains("chorus.prep.image.size"), e.getMessage());
    }

    @Test
    void splitFractionsMustAddUpToOne() {
        Config c = ChorusConfig.load(List.of(), List.of("chorus.prep.input.manifest=x.csv",
                "chorus.prep.output.path=out", "chorus.prep.split.train=0.5"));
        ConfigException e = assertThrows(ConfigException.class, () -> PrepareOptions.fromConfig(c));
        assertTrue(e.getMessage().contains("add up to 1"), e.getMessage());
    }

    @Test
    void missingConfigFileIsNamed() {
        File missing = tmp.resolve("nope.conf").toFile();
        ConfigException e = assertThrows(ConfigException.class, () -> ChorusConfig.load(List.of(missing), List.of()));
        assertTrue(e.getMessage().contains("nope.conf"), e.getMessage());
    }

    @Test
    void overrideWithoutEqualsSignIsRefused() {
        ConfigException e = assertThrows(ConfigException.class, () -> ChorusConfig.load(List.of(), List.of("chorus.prep")));
        assertTrue(e.getMessage().contains("key=value"), e.getMessage());
    }
}
