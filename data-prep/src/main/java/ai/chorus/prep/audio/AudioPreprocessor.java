package ai.chorus.prep.audio;

import ai.chorus.prep.SampleRejectedException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * One audio file to dataset features: decode to mono at {@link AudioOptions#sampleRate()}, pad with zeros at the
 * end or crop (keeping the start) to exactly {@link AudioOptions#clipSamples()} samples, then the
 * {@link LogMelSpectrogram log-mel spectrogram}. Every clip therefore gives {@link AudioOptions#clipFrames()}
 * frames; a short clip's padded tail is silence, whose log-mel is {@code ln(1e-10)} except in the frames whose
 * window still reaches the audio.
 *
 * <p>Not thread-safe (it owns a {@link LogMelSpectrogram}): make one per Spark task or thread from the
 * {@link java.io.Serializable serializable} {@link AudioOptions}.
 */
public final class AudioPreprocessor {

    private final AudioOptions options;
    private final AudioDecoder decoder;
    private final LogMelSpectrogram spectrogram;

    public AudioPreprocessor(AudioOptions options) {
        this.options = options;
        this.decoder = new AudioDecoder(options.sampleRate());
        this.spectrogram = new LogMelSpectrogram(options);
    }

    public AudioOptions options() {
        return options;
    }

    /**
     * Prepares one local file.
     *
     * @throws SampleRejectedException for bad audio (see {@link AudioDecoder} for the error classes)
     * @throws UncheckedIOException    if the file cannot be read at all
     */
    public PreparedAudio process(Path localFile) {
        int clip = options.clipSamples();
        DecodedAudio decoded;
        try {
            decoded = decoder.decode(localFile, clip);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + localFile.getFileName(), e);
        }
        float[] samples = decoded.samples().length == clip ? decoded.samples()
                : Arrays.copyOf(decoded.samples(), clip); // zero-pads or crops from the start
        float[] logMel = spectrogram.computeFlat(samples);
        int frames = logMel.length / options.nMels();
        return new PreparedAudio(logMel, options.nMels(), frames, decoded.sampleRate(),
                decoded.originalSampleRate(), decoded.originalChannels(), decoded.durationSeconds(),
                decoded.codec());
    }
}
