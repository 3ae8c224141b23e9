package ai.chorus.prep.audio;

import ai.chorus.prep.SampleRejectedException;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_NONE;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_decoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_get_name;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_DURATION_FROM_BITRATE;
import static org.bytedeco.ffmpeg.global.avformat.av_codec_get_id;
import static org.bytedeco.ffmpeg.global.avformat.avformat_get_riff_audio_tags;

/**
 * Decodes a local audio file (any container and codec this FFmpeg build reads: WAV in all its PCM and float
 * forms, OGG Vorbis/Opus, FLAC, MP3, AAC/M4A, the audio track of a video file, ...) to mono float PCM at one
 * target rate.
 *
 * <p>FFmpeg (through JavaCV's {@link FFmpegFrameGrabber}) decodes, converts to float and resamples with
 * libswresample (its default filter). Channels are then averaged with equal weights, like
 * {@code librosa.to_mono} and {@code waveform.mean(0)}: swresample's own stereo→mono matrix uses 1/√2 per
 * channel, which makes a centred stereo source 3 dB louder than the same source recorded in mono.
 *
 * <p>Bad input is refused with a {@link SampleRejectedException} (stage {@code audio}):
 * <ul>
 *   <li>{@code audio.empty}: zero-byte file, or a file that decodes to no samples;</li>
 *   <li>{@code audio.truncated}: a WAV whose header announces more bytes than the file holds (FFmpeg would
 *       silently decode the part that is there; see {@link WavHeader#truncation()}); or any file whose audio
 *       stream, by its container's own account, is more than max(0.5 s, 2%) longer than what decoded;</li>
 *   <li>{@code audio.unsupported-encoding}: a WAV whose format tag (named in the message) this FFmpeg build
 *       cannot decode, or an impossible PCM/float layout;</li>
 *   <li>{@code audio.decode}: anything FFmpeg cannot open or decode, no audio stream, non-finite samples.</li>
 * </ul>
 * I/O errors reading the file (missing, unreadable) are thrown as {@link IOException}: they are not a property
 * of the sample.
 *
 * <p>Known limits of decoding through JavaCV 1.5.7's grabber: it does not drain decoders or the resampler at the
 * end of the stream, so the resampler's filter delay (about 1 ms at the end) is lost whenever the rate changes,
 * and codecs that hold a frame back (FFmpeg's {@code AV_CODEC_CAP_DELAY}: WMA, APE, Shorten) lose their last
 * frame (20–50 ms). Durations are measured on what was decoded.
 *
 * <p>Thread-safe: every call opens its own FFmpeg context. FFmpeg logging is lowered to errors once per JVM.
 */
public final class AudioDecoder {

    public static final String STAGE = "audio";

    static {
        // FFmpeg's native libraries load with the grabber class; keep its chatter (info, warnings) off stderr.
        try {
            FFmpegFrameGrabber.tryLoad();
        } catch (FrameGrabber.Exception e) {
            throw new ExceptionInInitializerError(e);
        }
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    // Encoder padding, decoder delay and resampler tails make a few tens of ms go missing legitimately.
    private static final double MIN_SHORTFALL_SECONDS = 0.5;
    private static final double SHORTFALL_FRACTION = 0.02;

    private static final Pattern ERROR_CODE = Pattern.compile("error (-\\d+)");

    private final int targetSampleRate;

    /** @param targetSampleRate rate of the returned samples (Hz) */
    public AudioDecoder(int targetSampleRate) {
        if (targetSampleRate <= 0) {
            throw new IllegalArgumentException("targetSampleRate must be positive, was " + targetSampleRate);
        }
        this.targetSampleRate = targetSampleRate;
    }

    /** Decodes the whole file. */
    public DecodedAudio decode(Path file) throws IOException {
        return decode(file, Integer.MAX_VALUE);
    }

    /**
     * Decodes the file, keeping at most {@code maxSamples} samples (from the start) in memory. The rest is still
     * decoded so that {@link DecodedAudio#durationSeconds()} is the whole clip's length.
     */
    public DecodedAudio decode(Path file, int maxSamples) throws IOException {
        if (maxSamples < 0) {
            throw new IllegalArgumentException("maxSamples must be >= 0, was " + maxSamples);
        }
        if (Files.size(file) == 0) {
            throw reject("audio.empty", "file is empty (0 bytes)", null);
        }
        Optional<WavHeader> wav = WavHeader.read(file);
        if (wav.isPresent()) {
            checkWav(wav.get());
        }

        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile())) {
            grabber.setSampleRate(targetSampleRate);
            grabber.setSampleFormat(avutil.AV_SAMPLE_FMT_FLT); // packed (interleaved) float
            grabber.setSampleMode(FrameGrabber.SampleMode.FLOAT);
            // The grabber takes the first video stream whose index equals videoStream when that is >= 0: an index
            // no stream has means no video decoder is opened for files with pictures (cover art, video tracks).
            grabber.setVideoStream(Integer.MAX_VALUE);
            // JavaCV does not drain audio decoders at the end of the stream: frame-threaded ones (FLAC, ALAC,
            // WavPack) would lose their last frames. One thread per decoder also suits a Spark task's one core.
            grabber.setAudioOption("threads", "1");
            try {
                grabber.start();
            } catch (FrameGrabber.Exception e) {
                throw reject("audio.decode", "FFmpeg cannot open the file as audio: " + describe(e, file), e);
            }
            if (!grabber.hasAudio()) {
                throw reject("audio.decode", "file has no audio stream (container " + grabber.getFormat() + ")",
                        null);
            }
            AVCodecParameters par = grabber.getFormatContext().streams(grabber.getAudioStream()).codecpar();
            String codec = avcodec_get_name(par.codec_id()).getString();
            MonoCollector out = new MonoCollector(maxSamples);
            try {
                Frame frame;
                while ((frame = grabber.grabSamples()) != null) {
                    if (frame.samples != null) {
                        out.add(frame);
                    }
                }
            } catch (FrameGrabber.Exception e) {
                throw reject("audio.decode", "FFmpeg failed while decoding " + codec + ": " + describe(e, file), e);
            }
            if (out.nonFinite) {
                throw reject("audio.decode", "decoded " + codec + " audio contains NaN or infinite samples", null);
            }
            if (out.total == 0) {
                throw reject("audio.empty", "the " + codec + " audio stream holds no samples", null);
            }
            double seconds = out.total / (double) targetSampleRate;
            Optional<String> shortfall = shortfall(grabber, seconds, codec);
            if (shortfall.isPresent()) {
                throw reject("audio.truncated", shortfall.get(), null);
            }
            int channels = par.channels() > 0 ? par.channels() : out.lastChannels;
            return new DecodedAudio(out.samples(), targetSampleRate, par.sample_rate(), channels, seconds, codec);
        }
    }

    /**
     * JavaCV ends the stream quietly at the first unreadable packet, so a cut-off or damaged FLAC, MP3, OGG or MP4
     * would pass as a shorter clip. When the container states the audio stream's length (FLAC STREAMINFO, an
     * MP3 Xing/LAME header, MP4 and OGG timestamps; not a guess from the bit rate), decoding must reach it.
     */
    private static Optional<String> shortfall(FFmpegFrameGrabber grabber, double decodedSeconds, String codec) {
        AVFormatContext oc = grabber.getFormatContext();
        AVStream stream = oc.streams(grabber.getAudioStream());
        if (oc.duration_estimation_method() == AVFMT_DURATION_FROM_BITRATE || stream.duration() <= 0
                || stream.duration() == avutil.AV_NOPTS_VALUE()) {
            return Optional.empty();
        }
        double declared = stream.duration() * avutil.av_q2d(stream.time_base());
        double missing = declared - decodedSeconds;
        if (missing > Math.max(MIN_SHORTFALL_SECONDS, SHORTFALL_FRACTION * declared)) {
            return Optional.of(String.format(Locale.ROOT, "the %s stream announces %.3f s but decoding ended after "
                    + "%.3f s: the file is cut off or damaged there", codec, declared, decodedSeconds));
        }
        return Optional.empty();
    }

    private static void checkWav(WavHeader h) {
        Optional<String> truncated = h.truncation();
        if (truncated.isPresent()) {
            throw reject("audio.truncated", truncated.get(), null);
        }
        Optional<String> unsupported = unsupportedEncoding(h);
        if (unsupported.isPresent()) {
            throw reject("audio.unsupported-encoding", unsupported.get(), null);
        }
    }

    /** Asks FFmpeg's own RIFF tag table whether it has a decoder for the tag, and checks PCM/float layouts. */
    static Optional<String> unsupportedEncoding(WavHeader h) {
        int tag = h.formatTag();
        if (h.declaredTag() < 0 || tag < 0) {
            return Optional.empty(); // no fmt chunk or a non-standard GUID: FFmpeg decides (audio.decode)
        }
        String tagText = String.format(Locale.ROOT, "0x%04X", tag)
                + (h.declaredTag() == WavHeader.WAVE_FORMAT_EXTENSIBLE ? " (in WAVE_FORMAT_EXTENSIBLE)" : "");
        int codecId;
        try (PointerPointer<?> tables = new PointerPointer<>(avformat_get_riff_audio_tags(), null)) {
            codecId = av_codec_get_id(tables, tag);
        }
        if (codecId == AV_CODEC_ID_NONE || avcodec_find_decoder(codecId) == null) {
            return Optional.of("WAV format tag " + tagText + " is not an encoding this FFmpeg build can decode");
        }
        int bits = h.bitsPerSample();
        boolean pcm = tag == WavHeader.WAVE_FORMAT_PCM;
        boolean flt = tag == WavHeader.WAVE_FORMAT_IEEE_FLOAT;
        if (pcm && (bits < 1 || bits > 64)) {
            return Optional.of("WAV PCM (format tag " + tagText + ") with " + bits + " bits per sample");
        }
        if (flt && bits != 32 && bits != 64) {
            return Optional.of("WAV IEEE float (format tag " + tagText + ") with " + bits
                    + " bits per sample; only 32 and 64 exist");
        }
        int containerBytes = (bits + 7) / 8;
        if ((pcm || flt) && h.channels() > 0 && h.blockAlign() != h.channels() * containerBytes) {
            // FFmpeg assumes each sample in whole bytes and would silently misread packed layouts.
            return Optional.of("WAV " + (pcm ? "PCM" : "float") + " (format tag " + tagText + ") with " + bits
                    + "-bit samples packed " + h.blockAlign() + " bytes per " + h.channels()
                    + "-channel frame; expected " + h.channels() * containerBytes);
        }
        return Optional.empty();
    }

    /**
     * JavaCV's message without the local path (a temporary copy, meaningless in the rejects table) or its hints
     * to programmers, plus FFmpeg's text for the error code.
     */
    private static String describe(FrameGrabber.Exception e, Path file) {
        String message = String.valueOf(e.getMessage())
                .replace(file.toAbsolutePath().toString(), String.valueOf(file.getFileName()))
                .replace(" (Has setFormat() been called?)", "")
                .replace(" (For more details, make sure FFmpegLogCallback.set() has been called.)", "");
        Matcher code = ERROR_CODE.matcher(message);
        if (code.find()) {
            try (BytePointer text = new BytePointer(256)) {
                if (avutil.av_strerror(Integer.parseInt(code.group(1)), text, 256) == 0) {
                    byte[] bytes = new byte[256];
                    text.get(bytes);
                    int end = 0;
                    while (end < bytes.length && bytes[end] != 0) {
                        end++;
                    }
                    message += " (" + new String(bytes, 0, end, StandardCharsets.UTF_8) + ")";
                }
            } catch (NumberFormatException ignored) {
                // not a code after all: keep the message as it is
            }
        }
        return message;
    }

    private static SampleRejectedException reject(String errorClass, String message, Throwable cause) {
        return new SampleRejectedException(STAGE, errorClass, message, cause);
    }

    /** Averages channels into mono and keeps the first {@code max} samples while counting all. */
    private static final class MonoCollector {
        private final int max;
        private float[] data = new float[16384];
        private float[] scratch = new float[0];
        private int kept;
        long total;
        int lastChannels;
        boolean nonFinite;

        MonoCollector(int max) {
            this.max = max;
        }

        void add(Frame frame) {
            int channels = Math.max(1, frame.audioChannels);
            lastChannels = channels;
            int frames;
            if (frame.samples.length == 1) { // interleaved
                FloatBuffer b = ((FloatBuffer) frame.samples[0]).duplicate();
                int n = b.remaining();
                frames = n / channels;
                scratch = n > scratch.length ? new float[n] : scratch;
                b.get(scratch, 0, n);
                for (int i = 0; i < frames; i++) {
                    float s = 0;
                    for (int c = 0; c < channels; c++) {
                        s += scratch[i * channels + c];
                    }
                    put(s / channels);
                }
            } else { // planar: one buffer per channel
                int planes = frame.samples.length;
                frames = ((FloatBuffer) frame.samples[0]).remaining();
                float[] sum = new float[frames];
                for (int c = 0; c < planes; c++) {
                    FloatBuffer b = ((FloatBuffer) frame.samples[c]).duplicate();
                    for (int i = 0; i < frames; i++) {
                        sum[i] += b.get(b.position() + i);
                    }
                }
                for (int i = 0; i < frames; i++) {
                    put(sum[i] / planes);
                }
            }
        }

        private void put(float v) {
            total++;
            if (!Float.isFinite(v)) {
                nonFinite = true;
            }
            if (kept < max) {
                if (kept == data.length) {
                    data = Arrays.copyOf(data, (int) Math.min((long) data.length * 2, Integer.MAX_VALUE - 8));
                }
                data[kept++] = v;
            }
        }

        float[] samples() {
            return Arrays.copyOf(data, kept);
        }
    }
}
