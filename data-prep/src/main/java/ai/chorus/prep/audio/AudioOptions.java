package ai.chorus.prep.audio;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;

import java.io.Serializable;

/**
 * Audio settings, the {@code chorus.prep.audio} section of the configuration. See {@link LogMelSpectrogram} for
 * exactly how they turn into features.
 *
 * @param sampleRate  every clip is resampled to this rate (Hz)
 * @param nMels       mel bands
 * @param nFft        FFT and window length in samples; even
 * @param hopLength   samples between frame starts
 * @param fMin        lowest mel corner frequency (Hz)
 * @param fMax        highest mel corner frequency (Hz), at most {@code sampleRate / 2}; the configuration's
 *                    {@code null} means {@code sampleRate / 2}
 * @param clipSeconds clips are padded with silence or cropped (from the start) to this length
 */
public record AudioOptions(int sampleRate, int nMels, int nFft, int hopLength, double fMin, double fMax,
                           double clipSeconds) implements Serializable {

    public AudioOptions {
        Problem p = firstProblem(sampleRate, nMels, nFft, hopLength, fMin, fMax, clipSeconds);
        if (p != null) {
            throw new IllegalArgumentException(p.key + ": expected " + p.expected);
        }
    }

    /** Samples per clip after padding or cropping: {@code round(clipSeconds · sampleRate)}. */
    public int clipSamples() {
        return clipSamples(clipSeconds, sampleRate);
    }

    /** Spectrogram frames per clip: {@code 1 + clipSamples / hopLength} (integer division). */
    public int clipFrames() {
        return LogMelSpectrogram.frameCount(clipSamples(), hopLength);
    }

    /**
     * Reads the section at {@code path} (normally {@code chorus.prep.audio}) of a resolved configuration.
     *
     * @throws ConfigException.Missing   if a key is absent
     * @throws ConfigException.WrongType if a value has the wrong type
     * @throws ConfigException.BadValue  naming the key, if a value is out of range or inconsistent with another
     */
    public static AudioOptions fromConfig(Config c, String path) {
        Config section = c.getConfig(path);
        int sampleRate = section.getInt("sample-rate");
        int nMels = section.getInt("n-mels");
        int nFft = section.getInt("n-fft");
        int hopLength = section.getInt("hop-length");
        double fMin = section.getDouble("f-min");
        double fMax = section.getIsNull("f-max") ? sampleRate / 2.0 : section.getDouble("f-max");
        double clipSeconds = section.getDouble("clip-seconds");

        Problem p = firstProblem(sampleRate, nMels, nFft, hopLength, fMin, fMax, clipSeconds);
        if (p != null) {
            ConfigValue value = section.root().get(p.key);
            throw new ConfigException.BadValue(value == null ? section.origin() : value.origin(),
                    path + "." + p.key, "expected " + p.expected);
        }
        return new AudioOptions(sampleRate, nMels, nFft, hopLength, fMin, fMax, clipSeconds);
    }

    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private record Problem(String key, String expected) {
    }

    /** The first invalid setting, keyed by its configuration name, or null. */
    private static Problem firstProblem(int sampleRate, int nMels, int nFft, int hopLength, double fMin,
                                        double fMax, double clipSeconds) {
        if (sampleRate <= 0) {
            return new Problem("sample-rate", "a positive number of Hz but was " + sampleRate);
        }
        if (nMels <= 0) {
            return new Problem("n-mels", "a positive integer but was " + nMels);
        }
        if (nFft < 2 || nFft % 2 != 0) {
            // Even, so that centred frames give exactly 1 + samples / hop frames, as in torchaudio and librosa.
            return new Problem("n-fft", "an even integer >= 2 but was " + nFft);
        }
        if (hopLength <= 0) {
            return new Problem("hop-length", "a positive integer but was " + hopLength);
        }
        if (!(fMin >= 0) || Double.isInfinite(fMin)) {
            return new Problem("f-min", "a frequency >= 0 Hz but was " + fMin);
        }
        if (!(fMax <= sampleRate / 2.0)) {
            return new Problem("f-max", "at most sample-rate / 2 = " + sampleRate / 2.0
                    + " Hz (the Nyquist frequency), or null for that, but was " + fMax);
        }
        if (!(fMin < fMax)) {
            return new Problem("f-min", "below f-max (" + fMax + " Hz) but was " + fMin);
        }
        if (!(clipSeconds > 0) || Double.isInfinite(clipSeconds)) {
            return new Problem("clip-seconds", "a positive number of seconds but was " + clipSeconds);
        }
        if (clipSamples(clipSeconds, sampleRate) <= nFft / 2) {
            // Reflect padding of nFft/2 samples at each end needs a longer signal.
            return new Problem("clip-seconds", "more than n-fft / 2 = " + nFft / 2 + " samples ("
                    + (nFft / 2.0 / sampleRate) + " s at " + sampleRate + " Hz) but was " + clipSeconds);
        }
        long frames = 1 + clipSamples(clipSeconds, sampleRate) / hopLength;
        if (clipSamples(clipSeconds, sampleRate) == Integer.MAX_VALUE || frames * nMels > MAX_ARRAY) {
            return new Problem("clip-seconds", "a clip whose samples and n-mels x frames log-mel fit in a Java "
                    + "array but was " + clipSeconds);
        }
        int empty = MelFilterbank.slaney(sampleRate, nFft, nMels, fMin, fMax).firstEmptyBand();
        if (empty >= 0) {
            return new Problem("n-mels", "few enough bands that each covers an FFT bin, but with n-mels = "
                    + nMels + ", n-fft = " + nFft + " (bins " + (double) sampleRate / nFft + " Hz apart) and "
                    + fMin + "–" + fMax + " Hz, band " + empty + " is empty: lower n-mels or raise n-fft");
        }
        return null;
    }

    private static int clipSamples(double clipSeconds, int sampleRate) {
        double n = Math.rint(clipSeconds * sampleRate);
        return n >= Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) n;
    }
}
