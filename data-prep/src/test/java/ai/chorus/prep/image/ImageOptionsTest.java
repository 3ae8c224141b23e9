package ai.chorus.prep.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageOptionsTest {
    private static Config config(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void defaultsComeFromReferenceConf() {
        ImageOptions options = ImageOptions.fromConfig(config(""), "chorus.prep.image");

        assertEquals(new ImageOptions(224, ResizeMode.CENTER_CROP, 0xFFFFFF, 89_478_485L), options);
    }

    @Test
    void everyKeyIsRead() {
        ImageOptions options = ImageOptions.fromConfig(config("chorus.prep.image { size = 96, resize-mode = keep-ratio, "
                + "background = \"#1a2B3c\", max-pixels = 1000 }"), "chorus.prep.image");

        assertEquals(new ImageOptions(96, ResizeMode.KEEP_RATIO, 0x1A2B3C, 1000), options);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "resize-mode = crop       | resize-mode | expected one of center-crop, keep-ratio, stretch",
        "background = white       | background  | expected a colour like #rrggbb",
        "background = \"#fff\"    | background  | expected a colour like #rrggbb",
        "size = 0                 | size        | expected an integer between 1 and 4096",
        "size = big               | size        | expected an integer",
        "max-pixels = -5          | max-pixels  | expected an integer of at least 1"})
    void badValuesNameTheKeyAndWhatWasExpected(String setting, String key, String expected) {
        Config c = config("chorus.prep.image." + setting);

        ConfigException.BadValue e = assertThrows(ConfigException.BadValue.class,
                () -> ImageOptions.fromConfig(c, "chorus.prep.image"));

        assertTrue(e.getMessage().contains("chorus.prep.image." + key), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void survivesJavaSerialization() throws Exception {
        ImageOptions options = new ImageOptions(32, ResizeMode.STRETCH, 0x102030, 5000);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(options);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(options, in.readObject());
        }
    }
}
