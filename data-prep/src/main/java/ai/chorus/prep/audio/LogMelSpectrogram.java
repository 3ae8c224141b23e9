package ai.chorus.prep.audio;

import org.jtransforms.fft.DoubleFFT_1D;

/**
 * Log-mel spectrogram with fixed, documented conventions (the models and the benchmark depend on them).
 *
 * <p>For a mono signal {@code x} of {@code n} samples:
 * <ol>
 *   <li><b>Centre padding:</b> {@code nFft/2} samples are added at each end by <em>reflection</em> without
 *       repeating the edge sample ({@code numpy.pad(mode="reflect")}, {@code torch.nn.functional.pad(mode=
 *       "reflect")}), so frame {@code t} is centred on sample {@code t · hopLength}. Requires
 *       {@code n > nFft/2}.</li>
 *   <li><b>Frames:</b> {@code 1 + floor(n / hopLength)}, each {@code nFft} samples long.</li>
 *   <li><b>Window:</b> periodic Hann of length {@code nFft}, {@code w[i] = 0.5 − 0.5 cos(2πi / nFft)}
 *       ({@code torch.hann_window(nFft)}, {@code scipy.signal.get_window("hann", nFft)}), no zero padding.</li>
 *   <li><b>Power spectrum:</b> {@code |DFT(w · frame)|²} for bins {@code 0..nFft/2}, unnormalised
 *       ({@code power=2.0, normalized=False}).</li>
 *   <li><b>Mel:</b> the {@link MelFilterbank Slaney-scale, Slaney-normalised filterbank} applied to the power
 *       spectrum.</li>
 *   <li><b>Log:</b> natural logarithm with a floor, {@code ln(max(mel, 1e-10))}, so silence gives
 *       {@code ln(1e-10) ≈ −23.03}. No dB scaling, no per-clip normalisation, no top-dB clamp.</li>
 * </ol>
 * Steps 1–5 equal {@code torchaudio.transforms.MelSpectrogram(sample_rate, n_fft=nFft, hop_length=hopLength,
 * f_min, f_max, n_mels, window_fn=torch.hann_window, power=2.0, center=True, pad_mode="reflect",
 * norm="slaney", mel_scale="slaney")} and {@code librosa.feature.melspectrogram(..., center=True,
 * pad_mode="reflect", htk=False, norm="slaney")}; step 6 is {@code torch.log(torch.clamp(mel, min=1e-10))}.
 * Computed in double precision, returned as float.
 *
 * <p><b>Not thread-safe:</b> an instance owns its FFT plan and work buffers; use one per thread (per Spark
 * task). Construction precomputes the window and filterbank, so make one and reuse it.
 */
public final class LogMelSpectrogram {

    /** Mel energies below this are clamped before the logarithm. */
    public static final double LOG_FLOOR = 1e-10;

    private final int nFft;
    private final int hop;
    private final int nMels;
    private final double[] window;
    private final MelFilterbank filterbank;
    // Filterbank stored sparsely: band m covers bins [firstBin[m], firstBin[m] + bandWeights[m].length).
    private final int[] firstBin;
    private final double[][] bandWeights;
    private final DoubleFFT_1D fft;
    private final double[] frame;
    private final double[] power;

    public LogMelSpectrogram(AudioOptions options) {
        this.nFft = options.nFft();
        this.hop = options.hopLength();
        this.nMels = options.nMels();
        this.window = periodicHann(nFft);
        this.filterbank = MelFilterbank.slaney(options.sampleRate(), nFft, nMels, options.fMin(), options.fMax());
        this.firstBin = new int[nMels];
        this.bandWeights = new double[nMels][];
        int nBins = nFft / 2 + 1;
        for (int m = 0; m < nMels; m++) {
            int lo = 0;
            while (lo < nBins && filterbank.weight(m, lo) == 0) {
                lo++;
            }
            int hi = nBins;
            while (hi > lo && filterbank.weight(m, hi - 1) == 0) {
                hi--;
            }
            firstBin[m] = lo;
            bandWeights[m] = new double[hi - lo];
            for (int k = lo; k < hi; k++) {
                bandWeights[m][k - lo] = filterbank.weight(m, k);
            }
        }
        this.fft = new DoubleFFT_1D(nFft);
        this.frame = new double[nFft];
        this.power = new double[nBins];
    }

    /** Frames produced for {@code numSamples} samples: {@code 1 + numSamples / hopLength}. */
    public static int frameCount(int numSamples, int hopLength) {
        return 1 + numSamples / hopLength;
    }

    /** The filterbank in use (for band centre frequencies). */
    public MelFilterbank filterbank() {
        return filterbank;
    }

    /**
     * Log-mel spectrogram as {@code [nMels][frames]}.
     *
     * @throws IllegalArgumentException if {@code samples.length <= nFft / 2} (too short to reflect-pad)
     */
    public float[][] compute(float[] samples) {
        float[] flat = computeFlat(samples);
        int frames = flat.length / nMels;
        float[][] out = new float[nMels][frames];
        for (int m = 0; m < nMels; m++) {
            System.arraycopy(flat, m * frames, out[m], 0, frames);
        }
        return out;
    }

    /**
     * Log-mel spectrogram flattened row-major: element {@code [m][t]} is at {@code m · frames + t}.
     *
     * @throws IllegalArgumentException if {@code samples.length <= nFft / 2} (too short to reflect-pad)
     */
    public float[] computeFlat(float[] samples) {
        int frames = checkedFrameCount(samples);
        float[] out = new float[nMels * frames];
        for (int t = 0; t < frames; t++) {
            powerSpectrum(samples, t);
            for (int m = 0; m < nMels; m++) {
                double[] w = bandWeights[m];
                int k0 = firstBin[m];
                double e = 0;
                for (int j = 0; j < w.length; j++) {
                    e += w[j] * power[k0 + j];
                }
                out[m * frames + t] = (float) Math.log(Math.max(e, LOG_FLOOR));
            }
        }
        return out;
    }

    /**
     * The power spectrogram before the mel filterbank, {@code [nFft/2 + 1][frames]}, with the same framing,
     * padding and window as {@link #compute}.
     */
    public double[][] powerSpectrogram(float[] samples) {
        int frames = checkedFrameCount(samples);
        double[][] out = new double[power.length][frames];
        for (int t = 0; t < frames; t++) {
            powerSpectrum(samples, t);
            for (int k = 0; k < power.length; k++) {
                out[k][t] = power[k];
            }
        }
        return out;
    }

    private int checkedFrameCount(float[] samples) {
        if (samples.length <= nFft / 2) {
            throw new IllegalArgumentException("need more than nFft/2 = " + nFft / 2
                    + " samples for reflect padding, got " + samples.length);
        }
        int frames = frameCount(samples.length, hop);
        if ((long) frames * Math.max(nMels, power.length) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("signal of " + samples.length + " samples gives too many frames");
        }
        return frames;
    }

    /** Fills {@link #power} with the power spectrum of frame {@code t}. */
    private void powerSpectrum(float[] x, int t) {
        int n = x.length;
        int start = t * hop - nFft / 2;
        for (int i = 0; i < nFft; i++) {
            int j = start + i;
            // Reflect about the first and last sample without repeating them (needs pad < n).
            if (j < 0) {
                j = -j;
            } else if (j >= n) {
                j = 2 * (n - 1) - j;
            }
            frame[i] = x[j] * window[i];
        }
        fft.realForward(frame);
        // JTransforms' packed layout for even n: a[0] = Re[0], a[1] = Re[n/2], a[2k], a[2k+1] = Re[k], Im[k].
        power[0] = frame[0] * frame[0];
        power[nFft / 2] = frame[1] * frame[1];
        for (int k = 1; k < nFft / 2; k++) {
            double re = frame[2 * k];
            double im = frame[2 * k + 1];
            power[k] = re * re + im * im;
        }
    }

    private static double[] periodicHann(int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);
        }
        return w;
    }
}
