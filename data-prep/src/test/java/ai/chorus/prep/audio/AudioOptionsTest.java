package ai.chorus.prep.audio;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioOptionsTest {

    private static final String PATH = "chorus.prep.audio";

    private static Config with(String overrides) {
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void readsTheShippedDefaults() {
        AudioOptions o = AudioOptions.fromConfig(with(""), PATH);

        assertEquals(new AudioOptions(16_000, 64, 400, 160, 0.0, 8000.0, 5.0), o);
        assertEquals(80_000, o.clipSamples());
        assertEquals(501, o.clipFrames());
    }

    @Test
    void explicitFMaxIsKept() {
        AudioOptions o = AudioOptions.fromConfig(with(PATH + ".f-max = 7600"), PATH);
        assertEquals(7600.0, o.fMax());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource({
            "sample-rate,  0",
            "n-mels,       0",
            "n-mels,       256",   // more bands than 400-point FFT bins can fill
            "n-fft,        401",   // odd
            "n-fft,        0",
            "hop-length,   0",
            "f-min,        -1",
            "f-min,        8000",  // not below f-max
            "f-max,        9000",  // above Nyquist
            "clip-seconds, 0",
            "clip-seconds, 0.01",  // 160 samples: too short to reflect-pad 200
    })
    void badValuesNameTheirKey(String key, String value) {
        ConfigException.BadValue e = assertThrows(ConfigException.BadValue.class,
                () -> AudioOptions.fromConfig(with(PATH + "." + key + " = " + value), PATH));
        assertTrue(e.getMessage().contains(PATH + "." + key), e.getMessage());
        assertTrue(e.getMessage().contains("expected"), e.getMessage());
    }

    @Test
    void constructorValidatesToo() {
        assertThrows(IllegalArgumentException.class, () -> new AudioOptions(16_000, 64, 400, 160, 0, 8001, 5));
    }

    @Test
    void survivesJavaSerialization() throws IOException, ClassNotFoundException {
        AudioOptions o = new AudioOptions(22_050, 80, 1024, 256, 20, 11_025, 3.5);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(o);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(o, in.readObject());
        }
    }
}
