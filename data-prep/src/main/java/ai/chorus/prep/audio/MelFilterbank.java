package ai.chorus.prep.audio;

/**
 * Triangular mel filterbank on the Slaney mel scale with Slaney ("area") normalisation.
 *
 * <p>This is exactly librosa's default {@code librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax, htk=False,
 * norm="slaney")} and torchaudio's {@code melscale_fbanks(..., norm="slaney", mel_scale="slaney")} (as used by
 * {@code torchaudio.transforms.MelSpectrogram(mel_scale="slaney", norm="slaney")}). Note that torchaudio's
 * <em>default</em> is HTK scale without normalisation; Chorus does not use that default.
 *
 * <ul>
 *   <li>Mel scale (Slaney / Auditory Toolbox): linear below 1000 Hz, {@code mel = f / (200/3)}; logarithmic above,
 *       {@code mel = 15 + ln(f / 1000) / (ln(6.4) / 27)}.</li>
 *   <li>FFT bin {@code k} (0 ≤ k ≤ nFft/2) sits at {@code k · sampleRate / nFft} Hz (librosa's
 *       {@code rfftfreq}; torchaudio uses {@code k · (sampleRate // 2) / (nFft / 2)}, the same for even
 *       rates).</li>
 *   <li>Corner frequencies: {@code nMels + 2} points evenly spaced in mel from {@code mel(fMin)} to
 *       {@code mel(fMax)}, mapped back to Hz: {@code f[0..nMels+1]}. Band {@code m} rises linearly (in Hz) from
 *       {@code f[m]} to its centre {@code f[m+1]} and falls to {@code f[m+2]}.</li>
 *   <li>Normalisation: band {@code m} is scaled by {@code 2 / (f[m+2] − f[m])} so every triangle has unit area
 *       in Hz.</li>
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class MelFilterbank {

    private static final double F_SP = 200.0 / 3.0;
    private static final double MIN_LOG_HZ = 1000.0;
    private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
    private static final double LOG_STEP = Math.log(6.4) / 27.0;

    private final double[][] weights;
    private final double[] cornerHz;

    private MelFilterbank(double[][] weights, double[] cornerHz) {
        this.weights = weights;
        this.cornerHz = cornerHz;
    }

    /**
     * Builds the filterbank.
     *
     * @param sampleRate sample rate in Hz, positive
     * @param nFft       FFT length, even and ≥ 2 (gives {@code nFft/2 + 1} frequency bins)
     * @param nMels      number of bands, positive
     * @param fMin       lowest corner frequency in Hz, ≥ 0 and below {@code fMax}
     * @param fMax       highest corner frequency in Hz, at most {@code sampleRate / 2}
     */
    public static MelFilterbank slaney(int sampleRate, int nFft, int nMels, double fMin, double fMax) {
        if (sampleRate <= 0 || nFft < 2 || nFft % 2 != 0 || nMels <= 0 || fMin < 0 || fMin >= fMax
                || fMax > sampleRate / 2.0) {
            throw new IllegalArgumentException("invalid filterbank: sampleRate=" + sampleRate + " nFft=" + nFft
                    + " nMels=" + nMels + " fMin=" + fMin + " fMax=" + fMax);
        }
        int nBins = nFft / 2 + 1;
        double melMin = hzToMel(fMin);
        double melMax = hzToMel(fMax);
        double[] corners = new double[nMels + 2];
        for (int i = 0; i < corners.length; i++) {
            // Same as numpy.linspace(melMin, melMax, nMels + 2), endpoint included.
            corners[i] = melToHz(melMin + (melMax - melMin) * i / (nMels + 1));
        }
        double[][] w = new double[nMels][nBins];
        for (int m = 0; m < nMels; m++) {
            double lo = corners[m];
            double mid = corners[m + 1];
            double hi = corners[m + 2];
            double norm = 2.0 / (hi - lo);
            for (int k = 0; k < nBins; k++) {
                double f = binFrequency(k, sampleRate, nFft);
                double rising = (f - lo) / (mid - lo);
                double falling = (hi - f) / (hi - mid);
                w[m][k] = Math.max(0.0, Math.min(rising, falling)) * norm;
            }
        }
        return new MelFilterbank(w, corners);
    }

    /** Centre frequency in Hz of FFT bin {@code k}: {@code k · sampleRate / nFft}. */
    public static double binFrequency(int k, int sampleRate, int nFft) {
        return k * (double) sampleRate / nFft;
    }

    /** Hz to mel on the Slaney scale. */
    public static double hzToMel(double hz) {
        return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
    }

    /** Mel to Hz on the Slaney scale (inverse of {@link #hzToMel}). */
    public static double melToHz(double mel) {
        return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
    }

    public int nMels() {
        return weights.length;
    }

    public int nBins() {
        return weights[0].length;
    }

    /** Weight of FFT bin {@code bin} in band {@code mel}. */
    public double weight(int mel, int bin) {
        return weights[mel][bin];
    }

    /** Centre (peak) frequency of every band in Hz, {@code f[1..nMels]}. */
    public double[] centerFrequencies() {
        double[] c = new double[nMels()];
        System.arraycopy(cornerHz, 1, c, 0, c.length);
        return c;
    }

    /**
     * The first band that no FFT bin falls into (all weights zero, so its log-mel is the floor forever), or
     * −1 if every band sees at least one bin. Happens when {@code nMels} is too large for {@code nFft}.
     */
    public int firstEmptyBand() {
        for (int m = 0; m < weights.length; m++) {
            boolean empty = true;
            for (double v : weights[m]) {
                if (v > 0) {
                    empty = false;
                    break;
                }
            }
            if (empty) {
                return m;
            }
        }
        return -1;
    }
}
