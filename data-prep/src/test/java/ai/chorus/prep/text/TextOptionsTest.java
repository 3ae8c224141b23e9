package ai.chorus.prep.text;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.text.Normalizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TextOptionsTest {

    private static final String PATH = "chorus.prep.text";

    private static Config withOverrides(String hocon) {
        return ConfigFactory.parseString(hocon).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void readsTheShippedDefaults() {
        TextOptions o = TextOptions.fromConfig(ConfigFactory.defaultReference());
        assertEquals(TextOptions.Normalization.NFKC, o.normalization());
        assertEquals(Normalizer.Form.NFKC, o.normalization().form().orElseThrow());
        assertTrue(o.lowercase());
        assertEquals(32, o.maxLength());
    }

    @Test
    void acceptsNoneInAnyCaseAndOverrides() {
        TextOptions o = TextOptions.fromConfig(withOverrides(
                "chorus.prep.text { normalization = None, lowercase = false, max-length = 77 }"), PATH);
        assertEquals(TextOptions.Normalization.NONE, o.normalization());
        assertTrue(o.normalization().form().isEmpty());
        assertFalse(o.lowercase());
        assertEquals(77, o.maxLength());
    }

    @Test
    void unknownNormalizationIsABadValueNamingTheKey() {
        ConfigException.BadValue e = assertThrows(ConfigException.BadValue.class, () ->
                TextOptions.fromConfig(withOverrides("chorus.prep.text.normalization = NFX"), PATH));
        assertTrue(e.getMessage().contains("chorus.prep.text.normalization"), e.getMessage());
        assertTrue(e.getMessage().contains("nfkc") && e.getMessage().contains("none"), e.getMessage());
    }

    @Test
    void maxLengthBelowThreeIsABadValueNamingTheKey() {
        ConfigException.BadValue e = assertThrows(ConfigException.BadValue.class, () ->
                TextOptions.fromConfig(withOverrides("chorus.prep.text.max-length = 2"), PATH));
        assertTrue(e.getMessage().contains("chorus.prep.text.max-length"), e.getMessage());
        assertTrue(e.getMessage().contains("at least 3"), e.getMessage());
    }

    @Test
    void wrongTypeIsReportedByConfig() {
        assertThrows(ConfigException.WrongType.class, () ->
                TextOptions.fromConfig(withOverrides("chorus.prep.text.lowercase = sometimes"), PATH));
    }
}
