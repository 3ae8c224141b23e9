package ai.chorus.prep.audio;

import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

import javax.sound.sampled.AudioFileFormat;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_BGR24;

/** Test signals and real audio files made from them (javax.sound for WAV, FFmpeg's encoders for the rest). */
final class TestAudio {

    private TestAudio() {
    }

    static float[] sine(double hz, int sampleRate, double seconds, double amplitude) {
        float[] x = new float[(int) Math.round(seconds * sampleRate)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / sampleRate));
        }
        return x;
    }

    /** Linear chirp from {@code f0} to {@code f1} Hz: every part of it looks different. */
    static float[] chirp(double f0, double f1, int sampleRate, double seconds, double amplitude) {
        float[] x = new float[(int) Math.round(seconds * sampleRate)];
        double rate = (f1 - f0) / seconds;
        for (int i = 0; i < x.length; i++) {
            double t = i / (double) sampleRate;
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * (f0 * t + rate * t * t / 2)));
        }
        return x;
    }

    static double rms(float[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += (double) x[i] * x[i];
        }
        return Math.sqrt(s / (to - from));
    }

    /** The same signal on every channel, as interleaved frames. */
    static float[] interleave(float[] mono, int channels) {
        float[] out = new float[mono.length * channels];
        for (int i = 0; i < mono.length; i++) {
            for (int c = 0; c < channels; c++) {
                out[i * channels + c] = mono[i];
            }
        }
        return out;
    }

    enum WavEncoding { PCM_U8, PCM_S16, PCM_S24, FLOAT32 }

    /** Writes a WAV file with the JDK's own writer (javax.sound). {@code interleaved} holds frames of channels. */
    static Path writeWav(Path file, float[] interleaved, int channels, int sampleRate, WavEncoding enc)
            throws IOException {
        int bytes = switch (enc) {
            case PCM_U8 -> 1;
            case PCM_S16 -> 2;
            case PCM_S24 -> 3;
            case FLOAT32 -> 4;
        };
        ByteBuffer b = ByteBuffer.allocate(interleaved.length * bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : interleaved) {
            double s = Math.max(-1, Math.min(1, v));
            switch (enc) {
                case PCM_U8 -> b.put((byte) (Math.round(s * 127) + 128));
                case PCM_S16 -> b.putShort((short) Math.round(s * 32767));
                case PCM_S24 -> {
                    int i = (int) Math.round(s * 8388607);
                    b.put((byte) i).put((byte) (i >> 8)).put((byte) (i >> 16));
                }
                case FLOAT32 -> b.putFloat(v);
            }
        }
        AudioFormat.Encoding encoding = switch (enc) {
            case PCM_U8 -> AudioFormat.Encoding.PCM_UNSIGNED;
            case PCM_S16, PCM_S24 -> AudioFormat.Encoding.PCM_SIGNED;
            case FLOAT32 -> AudioFormat.Encoding.PCM_FLOAT;
        };
        AudioFormat format = new AudioFormat(encoding, sampleRate, bytes * 8, channels, bytes * channels,
                sampleRate, false);
        long frames = interleaved.length / channels;
        try (AudioInputStream in = new AudioInputStream(new ByteArrayInputStream(b.array()), format, frames)) {
            AudioSystem.write(in, AudioFileFormat.Type.WAVE, file.toFile());
        }
        return file;
    }

    /** 16-bit little-endian PCM bytes of {@code x}. */
    static byte[] pcm16(float[] x) {
        ByteBuffer b = ByteBuffer.allocate(x.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : x) {
            b.putShort((short) Math.round(Math.max(-1, Math.min(1, v)) * 32767));
        }
        return b.array();
    }

    /**
     * A canonical 44-byte-header WAV built by hand, for headers javax.sound would refuse to write. Sizes are
     * written as given, so they can lie.
     */
    static byte[] wavBytes(int formatTag, int channels, int sampleRate, int bits, int blockAlign, byte[] data,
                           long riffSize, long dataSize) {
        ByteBuffer b = ByteBuffer.allocate(44 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt((int) riffSize).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) formatTag).putShort((short) channels)
                .putInt(sampleRate).putInt(sampleRate * blockAlign).putShort((short) blockAlign)
                .putShort((short) bits);
        b.put("data".getBytes()).putInt((int) dataSize).put(data);
        return b.array();
    }

    /** A WAVE_FORMAT_EXTENSIBLE header whose SubFormat GUID carries {@code subTag}. */
    static byte[] extensibleWavBytes(int subTag, int channels, int sampleRate, int bits, byte[] data) {
        int blockAlign = channels * bits / 8;
        ByteBuffer b = ByteBuffer.allocate(68 + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(60 + data.length).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(40).putShort((short) 0xFFFE).putShort((short) channels)
                .putInt(sampleRate).putInt(sampleRate * blockAlign).putShort((short) blockAlign)
                .putShort((short) bits).putShort((short) 22).putShort((short) bits).putInt(channels == 1 ? 4 : 3)
                .putInt(subTag).put(new byte[]{0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA,
                        0x00, 0x38, (byte) 0x9B, 0x71});
        b.put("data".getBytes()).putInt(data.length).put(data);
        return b.array();
    }

    static Path write(Path file, byte[] bytes) throws IOException {
        return Files.write(file, bytes);
    }

    static boolean hasEncoder(int codecId) {
        return avcodec_find_encoder(codecId) != null;
    }

    /** Encodes {@code mono} (copied to every channel) with one of FFmpeg's encoders. */
    static Path encode(Path file, String container, int codecId, int sampleRate, int channels, float[] mono,
                       Map<String, String> codecOptions) throws IOException {
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toFile(), channels)) {
            r.setFormat(container);
            r.setAudioCodec(codecId);
            r.setSampleRate(sampleRate);
            r.setAudioChannels(channels);
            r.setAudioBitrate(128_000);
            codecOptions.forEach(r::setAudioOption);
            r.start();
            r.recordSamples(sampleRate, channels, FloatBuffer.wrap(interleave(mono, channels)));
            r.stop();
        }
        return file;
    }

    /**
     * A small video file: {@code frames} grey frames at 10 fps, plus {@code mono} as an audio track unless it is
     * null.
     */
    static Path encodeVideo(Path file, int videoCodec, int frames, int audioCodec, int sampleRate, float[] mono)
            throws IOException {
        int w = 64;
        int h = 48;
        try (FFmpegFrameRecorder r = new FFmpegFrameRecorder(file.toFile(), w, h, mono == null ? 0 : 1)) {
            r.setFormat("mp4");
            r.setVideoCodec(videoCodec);
            r.setFrameRate(10);
            if (mono != null) {
                r.setAudioCodec(audioCodec);
                r.setSampleRate(sampleRate);
                r.setAudioBitrate(96_000);
            }
            r.start();
            for (int i = 0; i < frames; i++) {
                Frame f = new Frame(w, h, Frame.DEPTH_UBYTE, 3);
                ByteBuffer px = (ByteBuffer) f.image[0];
                for (int j = 0; j < px.capacity(); j++) {
                    px.put(j, (byte) (i * 20 + j % 7));
                }
                r.record(f, AV_PIX_FMT_BGR24);
            }
            if (mono != null) {
                r.recordSamples(sampleRate, 1, FloatBuffer.wrap(mono));
            }
            r.stop();
        }
        return file;
    }
}
