package ai.chorus.prep.audio;

import ai.chorus.prep.SampleRejectedException;
import ai.chorus.prep.audio.TestAudio.WavEncoding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_FLAC;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MP3;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MPEG4;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_OPUS;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_VORBIS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class AudioDecoderTest {

    private static final int RATE = 16_000;
    private static final double TONE = 1000.0;
    private static final double AMPLITUDE = 0.5;

    private final AudioDecoder decoder = new AudioDecoder(RATE);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} {1} ch at {2} Hz")
    @CsvSource({
            "PCM_U8,  1, 16000, pcm_u8",
            "PCM_S16, 1, 16000, pcm_s16le",
            "PCM_S24, 1, 16000, pcm_s24le",
            "FLOAT32, 1, 16000, pcm_f32le",
            "PCM_S16, 2, 44100, pcm_s16le",
            "PCM_S16, 1, 8000,  pcm_s16le",
    })
    void decodesWavToMonoAtTargetRate(WavEncoding enc, int channels, int rate, String codec) throws IOException {
        float[] tone = TestAudio.sine(TONE, rate, 1.0, AMPLITUDE);
        Path wav = TestAudio.writeWav(dir.resolve("tone.wav"), TestAudio.interleave(tone, channels), channels,
                rate, enc);

        DecodedAudio a = decoder.decode(wav);

        assertEquals(RATE, a.sampleRate());
        assertEquals(rate, a.originalSampleRate());
        assertEquals(channels, a.originalChannels());
        assertEquals(codec, a.codec());
        // Exact without resampling; the resampler keeps back its filter delay (~16 input samples) at the end.
        assertEquals(1.0, a.durationSeconds(), rate == RATE ? 0 : 0.003);
        assertEquals(a.samples().length / (double) RATE, a.durationSeconds(), 1e-9);
        // Equal-weight downmix: identical channels keep the mono level (swresample's own would be 3 dB louder).
        assertEquals(AMPLITUDE / Math.sqrt(2), TestAudio.rms(a.samples(), 800, 15_000), 0.01);
        assertToneBand(a.samples(), TONE);
    }

    @Test
    void stereoIsTheMeanOfTheChannels() throws IOException {
        float[] left = TestAudio.sine(TONE, RATE, 0.5, 0.6);
        float[] frames = new float[left.length * 2];
        for (int i = 0; i < left.length; i++) {
            frames[2 * i] = left[i];
            frames[2 * i + 1] = 0.2f; // constant right channel
        }
        Path wav = TestAudio.writeWav(dir.resolve("lr.wav"), frames, 2, RATE, WavEncoding.FLOAT32);

        float[] mono = decoder.decode(wav).samples();

        for (int i = 0; i < 1000; i++) {
            assertEquals((left[i] + 0.2f) / 2, mono[i], 1e-6, "sample " + i);
        }
    }

    @Test
    void twelveBitPcmInSixteenBitContainersIsRead() throws IOException {
        // WAV allows 12 valid bits left-justified in 16-bit words; FFmpeg reads them as 16-bit PCM.
        float[] tone = TestAudio.sine(TONE, RATE, 0.5, AMPLITUDE);
        byte[] data = TestAudio.pcm16(tone);
        for (int i = 0; i < data.length; i += 2) {
            data[i] &= (byte) 0xF0; // clear the 4 unused low bits
        }
        Path w12 = TestAudio.write(dir.resolve("12.wav"),
                TestAudio.wavBytes(1, 1, RATE, 12, 2, data, 36 + data.length, data.length));
        Path w16 = TestAudio.write(dir.resolve("16.wav"),
                TestAudio.wavBytes(1, 1, RATE, 16, 2, data, 36 + data.length, data.length));

        assertArrayEquals(decoder.decode(w16).samples(), decoder.decode(w12).samples(), 0f);
    }

    @ParameterizedTest(name = "RIFF and data sizes {0}")
    @ValueSource(longs = {0L, 0xFFFFFFFFL})
    void acceptsStreamingPlaceholderSizes(long placeholder) throws IOException {
        byte[] data = TestAudio.pcm16(TestAudio.sine(TONE, RATE, 0.75, AMPLITUDE));
        Path wav = TestAudio.write(dir.resolve("stream.wav"),
                TestAudio.wavBytes(1, 1, RATE, 16, 2, data, placeholder, placeholder));

        DecodedAudio a = decoder.decode(wav);

        assertEquals(0.75 * RATE, a.samples().length);
        assertToneBand(a.samples(), TONE);
    }

    @Test
    void truncatedWavIsRejected() throws IOException {
        Path full = TestAudio.writeWav(dir.resolve("full.wav"), TestAudio.sine(TONE, RATE, 1.0, AMPLITUDE), 1,
                RATE, WavEncoding.PCM_S16);
        byte[] bytes = Files.readAllBytes(full);
        Path cut = TestAudio.write(dir.resolve("cut.wav"), Arrays.copyOf(bytes, bytes.length * 6 / 10));

        SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> decoder.decode(cut));

        assertEquals("audio", e.stage());
        assertEquals("audio.truncated", e.errorClass());
        assertTrue(e.getMessage().contains("32000 bytes"), e.getMessage());
    }

    @Test
    void flacCutShortOfItsStreamInfoIsTruncated() throws IOException {
        assumeTrue(TestAudio.hasEncoder(AV_CODEC_ID_FLAC), "this FFmpeg build has no flac encoder");
        Path full = TestAudio.encode(dir.resolve("full.flac"), "flac", AV_CODEC_ID_FLAC, 44_100, 1,
                TestAudio.chirp(200, 5000, 44_100, 2.0, AMPLITUDE), Map.of());
        byte[] bytes = Files.readAllBytes(full);
        Path cut = TestAudio.write(dir.resolve("cut.flac"), Arrays.copyOf(bytes, bytes.length / 2));

        SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> decoder.decode(cut));

        assertEquals("audio.truncated", e.errorClass());
        assertTrue(e.getMessage().contains("announces 2.000 s"), e.getMessage());
    }

    @Test
    void wavCutInsideItsHeaderIsTruncated() throws IOException {
        byte[] bytes = TestAudio.wavBytes(1, 1, RATE, 16, 2, new byte[3200], 36 + 3200, 3200);
        Path cut = TestAudio.write(dir.resolve("head.wav"), Arrays.copyOf(bytes, 30));

        assertEquals("audio.truncated", assertThrows(SampleRejectedException.class,
                () -> decoder.decode(cut)).errorClass());
    }

    @ParameterizedTest(name = "tag {0}, {1} bits, block {2}")
    @CsvSource({
            "0x1234, 16, 2, 0x1234",   // unknown format tag
            "0x0003, 24, 3, 0x0003",   // IEEE float has no 24-bit form
            "0x0001, 12, 3, 0x0001",   // 12-bit samples packed, not in 16-bit words
    })
    void unsupportedWavEncodingsAreRejectedWithTheTag(String tag, int bits, int blockAlign, String shown)
            throws IOException {
        byte[] data = new byte[blockAlign * 2000];
        Path wav = TestAudio.write(dir.resolve("odd.wav"), TestAudio.wavBytes(Integer.decode(tag), 2, RATE, bits,
                blockAlign, data, 36 + data.length, data.length));

        SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> decoder.decode(wav));

        assertEquals("audio.unsupported-encoding", e.errorClass());
        assertTrue(e.getMessage().contains(shown), e.getMessage());
    }

    @Test
    void unknownExtensibleSubFormatIsUnsupported() throws IOException {
        Path wav = TestAudio.write(dir.resolve("ext.wav"),
                TestAudio.extensibleWavBytes(0x1234, 1, RATE, 16, new byte[4000]));

        SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> decoder.decode(wav));

        assertEquals("audio.unsupported-encoding", e.errorClass());
        assertTrue(e.getMessage().contains("0x1234"), e.getMessage());
    }

    @Test
    void extensiblePcmIsRead() throws IOException {
        byte[] data = TestAudio.pcm16(TestAudio.sine(TONE, RATE, 0.5, AMPLITUDE));
        Path wav = TestAudio.write(dir.resolve("ext.wav"), TestAudio.extensibleWavBytes(1, 1, RATE, 16, data));

        DecodedAudio a = decoder.decode(wav);

        assertEquals(RATE / 2, a.samples().length);
        assertToneBand(a.samples(), TONE);
    }

    @Test
    void emptyFileIsRejected() throws IOException {
        Path empty = Files.createFile(dir.resolve("empty.wav"));

        assertEquals("audio.empty", assertThrows(SampleRejectedException.class,
                () -> decoder.decode(empty)).errorClass());
    }

    @Test
    void wavWithoutSamplesIsEmpty() throws IOException {
        Path wav = TestAudio.writeWav(dir.resolve("none.wav"), new float[0], 1, RATE, WavEncoding.PCM_S16);

        assertEquals("audio.empty", assertThrows(SampleRejectedException.class,
                () -> decoder.decode(wav)).errorClass());
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void randomBytesAreADecodeError(long seed) throws IOException {
        byte[] noise = new byte[20_000];
        new Random(seed).nextBytes(noise);
        Path junk = TestAudio.write(dir.resolve("junk.mp3"), noise);

        SampleRejectedException e = assertThrows(SampleRejectedException.class, () -> decoder.decode(junk));

        assertEquals("audio.decode", e.errorClass());
        // The local copy's path means nothing in the rejects table; the file name is enough.
        assertFalse(e.getMessage().contains(dir.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("junk.mp3"), e.getMessage());
    }

    @Test
    void nonFiniteFloatSamplesAreADecodeError() throws IOException {
        float[] x = TestAudio.sine(TONE, RATE, 0.2, AMPLITUDE);
        x[100] = Float.NaN;
        Path wav = TestAudio.writeWav(dir.resolve("nan.wav"), x, 1, RATE, WavEncoding.FLOAT32);

        assertEquals("audio.decode", assertThrows(SampleRejectedException.class,
                () -> decoder.decode(wav)).errorClass());
    }

    @Test
    void missingFileIsAnIoErrorNotARejection() {
        assertThrows(NoSuchFileException.class, () -> decoder.decode(dir.resolve("absent.wav")));
    }

    @Test
    void keepsOnlyTheRequestedSamplesButMeasuresTheWholeClip() throws IOException {
        Path wav = TestAudio.writeWav(dir.resolve("long.wav"), TestAudio.chirp(200, 4000, RATE, 2.0, AMPLITUDE),
                1, RATE, WavEncoding.PCM_S16);

        DecodedAudio all = decoder.decode(wav);
        DecodedAudio head = decoder.decode(wav, 1234);

        assertEquals(1234, head.samples().length);
        assertArrayEquals(Arrays.copyOf(all.samples(), 1234), head.samples(), 0f);
        assertEquals(2.0, head.durationSeconds(), 1e-9);
    }

    /**
     * JavaCV's recorder does not drain lossy encoders when it stops, so those files end up to ~60 ms short (the
     * FFmpeg command line decodes the same sample counts from them as this decoder); lossless FLAC keeps all
     * and only the resampler's ~1 ms tail is missing.
     */
    @ParameterizedTest(name = "{0} in {1}")
    @CsvSource({
            "vorbis, ogg,  44100, 2, 0.03",
            "flac,   flac, 44100, 1, 0.002",
            "mp3,    mp3,  44100, 1, 0.07",
            "aac,    ipod, 22050, 1, 0.03",
            "opus,   ogg,  48000, 1, 0.002",
    })
    void decodesCompressedFormats(String codec, String container, int rate, int channels, double durationTolerance)
            throws IOException {
        int codecId = switch (codec) {
            case "vorbis" -> AV_CODEC_ID_VORBIS;
            case "flac" -> AV_CODEC_ID_FLAC;
            case "mp3" -> AV_CODEC_ID_MP3;
            case "aac" -> AV_CODEC_ID_AAC;
            default -> AV_CODEC_ID_OPUS;
        };
        assumeTrue(TestAudio.hasEncoder(codecId), "this FFmpeg build has no " + codec + " encoder");
        // FFmpeg's own Vorbis encoder is marked experimental.
        Map<String, String> options = codec.equals("vorbis") ? Map.of("strict", "experimental") : Map.of();
        Path file = TestAudio.encode(dir.resolve("tone." + container), container, codecId, rate, channels,
                TestAudio.sine(TONE, rate, 1.0, AMPLITUDE), options);

        DecodedAudio a = decoder.decode(file);

        assertEquals(codec, a.codec());
        assertEquals(rate, a.originalSampleRate());
        assertEquals(channels, a.originalChannels());
        assertEquals(1.0, a.durationSeconds(), durationTolerance);
        assertEquals(AMPLITUDE / Math.sqrt(2), TestAudio.rms(a.samples(), 2000, 14_000), 0.03);
        assertToneBand(a.samples(), TONE);
    }

    @Test
    void readsTheAudioTrackOfAVideo() throws IOException {
        assumeTrue(TestAudio.hasEncoder(AV_CODEC_ID_MPEG4) && TestAudio.hasEncoder(AV_CODEC_ID_AAC));
        Path mp4 = TestAudio.encodeVideo(dir.resolve("clip.mp4"), AV_CODEC_ID_MPEG4, 10, AV_CODEC_ID_AAC, 44100,
                TestAudio.sine(TONE, 44100, 1.0, AMPLITUDE));

        DecodedAudio a = decoder.decode(mp4);

        assertEquals("aac", a.codec());
        assertToneBand(a.samples(), TONE);
    }

    @Test
    void videoWithoutAudioIsADecodeError() throws IOException {
        assumeTrue(TestAudio.hasEncoder(AV_CODEC_ID_MPEG4));
        Path mp4 = TestAudio.encodeVideo(dir.resolve("mute.mp4"), AV_CODEC_ID_MPEG4, 10, 0, 0, null);

        assertEquals("audio.decode", assertThrows(SampleRejectedException.class,
                () -> decoder.decode(mp4)).errorClass());
    }

    /** The tone's energy peaks in the mel band whose centre is nearest to it (default 64-mel settings). */
    private static void assertToneBand(float[] samples, double hz) {
        AudioOptions o = new AudioOptions(RATE, 64, 400, 160, 0, RATE / 2.0, 1.0);
        LogMelSpectrogram spec = new LogMelSpectrogram(o);
        float[][] mel = spec.compute(samples);
        int expected = LogMelSpectrogramTest.nearestBand(spec.filterbank().centerFrequencies(), hz);
        int frames = mel[0].length;
        for (int t = frames / 4; t < 3 * frames / 4; t++) {
            assertEquals(expected, LogMelSpectrogramTest.argmax(mel, t), "frame " + t);
        }
    }
}
