package ai.chorus.prep.audio;

import ai.chorus.prep.SampleRejectedException;
import ai.chorus.prep.audio.TestAudio.WavEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AudioPreprocessorTest {

    private static final AudioOptions FIVE_SECONDS = new AudioOptions(16_000, 64, 400, 160, 0, 8000, 5.0);
    private static final float FLOOR = (float) Math.log(LogMelSpectrogram.LOG_FLOOR);

    @TempDir
    Path dir;

    @Test
    void shortClipIsPaddedWithSilence() throws IOException {
        Path wav = TestAudio.writeWav(dir.resolve("short.wav"),
                TestAudio.interleave(TestAudio.sine(1000, 22_050, 1.0, 0.5), 2), 2, 22_050, WavEncoding.PCM_S16);

        PreparedAudio p = new AudioPreprocessor(FIVE_SECONDS).process(wav);

        assertEquals(64, p.nMels());
        assertEquals(501, p.frames());
        assertEquals(64 * 501, p.logMel().length);
        assertEquals(16_000, p.sampleRate());
        assertEquals(22_050, p.originalSampleRate());
        assertEquals(2, p.originalChannels());
        assertEquals("pcm_s16le", p.codec());
        assertEquals(1.0, p.durationSeconds(), 0.005);
        int toneBand = LogMelSpectrogramTest.nearestBand(
                MelFilterbank.slaney(16_000, 400, 64, 0, 8000).centerFrequencies(), 1000);
        for (int t = 0; t < 99; t++) {
            assertTrue(p.logMel()[toneBand * 501 + t] > 0, "tone in frame " + t);
        }
        // The audio ends at sample ~16000: frames from 102 on (window start 102·160 − 200 > 16000) are silence.
        for (int m = 0; m < 64; m++) {
            for (int t = 102; t < 501; t++) {
                assertEquals(FLOOR, p.logMel()[m * 501 + t], "mel " + m + " frame " + t);
            }
        }
    }

    @Test
    void longClipIsCroppedFromTheStart() throws IOException {
        float[] chirp = TestAudio.chirp(100, 7000, 16_000, 7.0, 0.4);
        Path wav = TestAudio.writeWav(dir.resolve("long.wav"), chirp, 1, 16_000, WavEncoding.FLOAT32);

        PreparedAudio p = new AudioPreprocessor(FIVE_SECONDS).process(wav);

        assertEquals(501, p.frames());
        assertEquals(7.0, p.durationSeconds(), 1e-9); // the original length, not the clip's
        // No resampling (16 kHz in, float WAV): exactly the spectrogram of the first 5 s.
        float[] expected = new LogMelSpectrogram(FIVE_SECONDS).computeFlat(Arrays.copyOf(chirp, 80_000));
        assertArrayEquals(expected, p.logMel(), 0f);
    }

    @Test
    void frameCountFollowsClipSecondsExactly() throws IOException {
        AudioOptions odd = new AudioOptions(16_000, 40, 512, 128, 0, 8000, 1.234);
        Path wav = TestAudio.writeWav(dir.resolve("tone.wav"), TestAudio.sine(440, 16_000, 3.0, 0.5), 1, 16_000,
                WavEncoding.PCM_S16);

        PreparedAudio p = new AudioPreprocessor(odd).process(wav);

        assertEquals(19_744, odd.clipSamples());
        assertEquals(1 + 19_744 / 128, p.frames());
        assertEquals(odd.clipFrames(), p.frames());
        assertEquals(40 * p.frames(), p.logMel().length);
    }

    @Test
    void rejectionsPassThrough() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.ogg"));

        SampleRejectedException e = assertThrows(SampleRejectedException.class,
                () -> new AudioPreprocessor(FIVE_SECONDS).process(empty));

        assertEquals("audio.empty", e.errorClass());
    }
}
