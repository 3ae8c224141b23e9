package ai.chorus.prep.video;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.chorus.prep.image.ResizeMode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

class VideoOptionsTest {
    private static Config config(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void defaultsComeFromReferenceConf() {
        VideoOptions options = VideoOptions.fromConfig(config(""), "chorus.prep.video");

        assertEquals(new VideoOptions(8, 128, ResizeMode.CENTER_CROP, 0x000000, 33_177_600L, 600.0), options);
        assertEquals(128, options.size());
        assertEquals(ResizeMode.CENTER_CROP, options.resizeMode());
    }

    @Test
    void badValuesNameTheKey() {
        ConfigException.BadValue frames = assertThrows(ConfigException.BadValue.class,
                () -> VideoOptions.fromConfig(config("chorus.prep.video.frames = 0"), "chorus.prep.video"));
        assertTrue(frames.getMessage().contains("chorus.prep.video.frames"), frames.getMessage());

        ConfigException.BadValue seconds = assertThrows(ConfigException.BadValue.class,
                () -> VideoOptions.fromConfig(config("chorus.prep.video.max-seconds = -1"), "chorus.prep.video"));
        assertTrue(seconds.getMessage().contains("chorus.prep.video.max-seconds"), seconds.getMessage());
        assertTrue(seconds.getMessage().contains("expected a positive number"), seconds.getMessage());

        ConfigException.BadValue mode = assertThrows(ConfigException.BadValue.class,
                () -> VideoOptions.fromConfig(config("chorus.prep.video.resize-mode = fit"), "chorus.prep.video"));
        assertTrue(mode.getMessage().contains("chorus.prep.video.resize-mode"), mode.getMessage());

        ConfigException.BadValue tooMuch = assertThrows(ConfigException.BadValue.class,
                () -> VideoOptions.fromConfig(config("chorus.prep.video { frames = 1024, size = 4096 }"), "chorus.prep.video"));
        assertTrue(tooMuch.getMessage().contains("chorus.prep.video.frames"), tooMuch.getMessage());
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        VideoOptions options = new VideoOptions(4, 64, ResizeMode.KEEP_RATIO, 0x123456, 1000, 30);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(options);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(options, in.readObject());
        }
    }
}
