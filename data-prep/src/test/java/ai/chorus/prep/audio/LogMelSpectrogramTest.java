package ai.chorus.prep.audio;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogMelSpectrogramTest {

    private static final AudioOptions DEFAULTS = new AudioOptions(16_000, 64, 400, 160, 0.0, 8000.0, 5.0);

    @ParameterizedTest(name = "{0} Hz")
    @ValueSource(doubles = {250, 1000, 3000, 6500})
    void sineLandsInTheBandCentredNearest(double hz) {
        LogMelSpectrogram spec = new LogMelSpectrogram(DEFAULTS);
        float[][] mel = spec.compute(TestAudio.sine(hz, 16_000, 1.0, 0.5));
        int expected = nearestBand(spec.filterbank().centerFrequencies(), hz);

        for (int t = 10; t < mel[0].length - 10; t++) {
            assertEquals(expected, argmax(mel, t), "frame " + t);
        }
    }

    /**
     * Against a straightforward computation written from the definitions: explicit reflect-padded copy, periodic
     * Hann, O(n²) DFT in double, Slaney mel filterbank evaluated from its formula. Tolerance 1e-4 on the natural
     * log, i.e. 0.01% relative on the mel energies (the output is float: ~1e-6 relative).
     */
    @Test
    void matchesDirectDftReference() {
        Random rnd = new Random(7);
        for (AudioOptions o : new AudioOptions[]{
                new AudioOptions(16_000, 64, 400, 160, 0.0, 8000.0, 1.0),
                new AudioOptions(22_050, 40, 512, 128, 50.0, 7000.0, 1.0)}) {
            float[] chirp = TestAudio.chirp(100, 6000, o.sampleRate(), 0.2, 0.3);
            float[] x = new float[chirp.length + 37]; // not a multiple of the hop
            for (int i = 0; i < x.length; i++) {
                x[i] = (i < chirp.length ? chirp[i] : 0) + (float) (0.05 * rnd.nextGaussian());
            }

            float[][] actual = new LogMelSpectrogram(o).compute(x);
            double[][] expected = referenceLogMel(x, o);

            assertEquals(expected.length, actual.length);
            assertEquals(expected[0].length, actual[0].length);
            for (int m = 0; m < expected.length; m++) {
                for (int t = 0; t < expected[0].length; t++) {
                    assertEquals(expected[m][t], actual[m][t], 1e-4, "n-fft " + o.nFft() + " mel " + m + " frame " + t);
                }
            }
        }
    }

    /** Parseval: the one-sided power spectrum sums to nFft · (energy of the windowed frame). */
    @Test
    void powerSpectrumKeepsTheWindowedFramesEnergy() {
        Random rnd = new Random(11);
        float[] x = new float[4000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        int n = DEFAULTS.nFft();
        double[][] power = new LogMelSpectrogram(DEFAULTS).powerSpectrogram(x);
        for (int t : new int[]{3, 10, 20}) { // interior frames: no padding involved
            double timeEnergy = 0;
            for (int i = 0; i < n; i++) {
                double v = x[t * DEFAULTS.hopLength() - n / 2 + i] * hann(i, n);
                timeEnergy += v * v;
            }
            double freqEnergy = power[0][t] + power[n / 2][t];
            for (int k = 1; k < n / 2; k++) {
                freqEnergy += 2 * power[k][t];
            }
            assertEquals(n * timeEnergy, freqEnergy, 1e-9 * freqEnergy, "frame " + t);
        }
    }

    /**
     * A sine of amplitude A on an exact FFT bin k0, under a periodic Hann window of length N, has a DFT of
     * exactly three lines on the positive side: |X[k0]| = A·N/4 and |X[k0 ± 1]| = A·N/8. For A = 0.5, N = 400,
     * 1000 Hz at 16 kHz (k0 = 25): power 2500 at bin 25, 625 at bins 24 and 26, zero elsewhere.
     */
    @Test
    void binCentredSineHasTheHandDerivedSpectrum() {
        LogMelSpectrogram spec = new LogMelSpectrogram(DEFAULTS);
        float[] x = TestAudio.sine(1000, 16_000, 0.5, 0.5);
        double[][] power = spec.powerSpectrogram(x);
        float[][] mel = spec.compute(x);
        MelFilterbank fb = spec.filterbank();

        for (int t = 5; t < 45; t++) {
            for (int k = 0; k <= 200; k++) {
                double expected = k == 25 ? 2500 : k == 24 || k == 26 ? 625 : 0;
                assertEquals(expected, power[k][t], 1e-6 + 1e-6 * expected, "bin " + k + " frame " + t);
            }
            for (int m = 0; m < 64; m++) {
                double e = fb.weight(m, 24) * 625 + fb.weight(m, 25) * 2500 + fb.weight(m, 26) * 625;
                assertEquals(Math.log(Math.max(e, 1e-10)), mel[m][t], 1e-4, "mel " + m + " frame " + t);
            }
        }
    }

    @Test
    void framesAreCentredOnMultiplesOfTheHop() {
        float[] x = new float[16_000];
        x[8000] = 1; // an impulse at frame 50's centre
        float[][] mel = new LogMelSpectrogram(DEFAULTS).compute(x);
        int loudest = 0;
        for (int t = 0; t < mel[0].length; t++) {
            if (mel[10][t] > mel[10][loudest]) {
                loudest = t;
            }
        }
        assertEquals(50, loudest);
        // The impulse is visible only in frames whose 400-sample window covers sample 8000: 49, 50, 51.
        assertEquals((float) Math.log(1e-10), mel[10][48]);
        assertEquals((float) Math.log(1e-10), mel[10][52]);
        assertTrue(mel[10][49] > -20 && mel[10][51] > -20);
    }

    @Test
    void silenceIsTheLogFloor() {
        float[][] mel = new LogMelSpectrogram(DEFAULTS).compute(new float[1000]);
        for (float[] row : mel) {
            for (float v : row) {
                assertEquals((float) Math.log(LogMelSpectrogram.LOG_FLOOR), v);
            }
        }
    }

    @ParameterizedTest(name = "{0} samples")
    @ValueSource(ints = {201, 320, 16_000, 16_159, 80_000})
    void frameCountIsOnePlusSamplesOverHop(int samples) {
        LogMelSpectrogram spec = new LogMelSpectrogram(DEFAULTS);
        float[] x = TestAudio.sine(440, 16_000, samples / 16_000.0, 0.1);
        assertEquals(samples, x.length);
        assertEquals(1 + samples / 160, spec.compute(x)[0].length);
        assertEquals(64 * (1 + samples / 160), spec.computeFlat(x).length);
    }

    @Test
    void flatIsRowMajor() {
        LogMelSpectrogram spec = new LogMelSpectrogram(DEFAULTS);
        float[] x = TestAudio.chirp(100, 7000, 16_000, 0.3, 0.4);
        float[][] mel = spec.compute(x);
        float[] flat = spec.computeFlat(x);
        int frames = mel[0].length;
        for (int m = 0; m < 64; m++) {
            for (int t = 0; t < frames; t++) {
                assertEquals(mel[m][t], flat[m * frames + t]);
            }
        }
    }

    @Test
    void tooShortToReflectPadIsRefused() {
        LogMelSpectrogram spec = new LogMelSpectrogram(DEFAULTS);
        assertThrows(IllegalArgumentException.class, () -> spec.compute(new float[200]));
    }

    static int nearestBand(double[] centres, double hz) {
        int best = 0;
        for (int m = 1; m < centres.length; m++) {
            if (Math.abs(centres[m] - hz) < Math.abs(centres[best] - hz)) {
                best = m;
            }
        }
        return best;
    }

    static int argmax(float[][] mel, int t) {
        int best = 0;
        for (int m = 1; m < mel.length; m++) {
            if (mel[m][t] > mel[best][t]) {
                best = m;
            }
        }
        return best;
    }

    private static double hann(int i, int n) {
        return 0.5 * (1 - Math.cos(2 * Math.PI * i / n));
    }

    // ---- reference implementation, written from the definitions without sharing code with the class ----

    private static double[][] referenceLogMel(float[] x, AudioOptions o) {
        int n = o.nFft();
        int pad = n / 2;
        double[] padded = new double[x.length + 2 * pad];
        for (int i = 0; i < padded.length; i++) {
            int j = i - pad;
            // numpy.pad(x, pad, mode="reflect"): mirror about the edge samples.
            padded[i] = j < 0 ? x[-j] : j >= x.length ? x[2 * (x.length - 1) - j] : x[j];
        }
        int frames = 1 + (padded.length - n) / o.hopLength();
        int bins = n / 2 + 1;
        double[][] power = new double[frames][bins];
        for (int t = 0; t < frames; t++) {
            for (int k = 0; k < bins; k++) {
                double re = 0;
                double im = 0;
                for (int i = 0; i < n; i++) {
                    double v = padded[t * o.hopLength() + i] * hann(i, n);
                    double angle = -2 * Math.PI * k * i / n;
                    re += v * Math.cos(angle);
                    im += v * Math.sin(angle);
                }
                power[t][k] = re * re + im * im;
            }
        }
        double lo = slaneyMel(o.fMin());
        double hi = slaneyMel(o.fMax());
        double[] edges = new double[o.nMels() + 2];
        for (int i = 0; i < edges.length; i++) {
            edges[i] = slaneyHz(lo + (hi - lo) * i / (o.nMels() + 1));
        }
        double[][] out = new double[o.nMels()][frames];
        for (int m = 0; m < o.nMels(); m++) {
            for (int t = 0; t < frames; t++) {
                double e = 0;
                for (int k = 0; k < bins; k++) {
                    double f = k * (o.sampleRate() / 2.0) / (bins - 1);
                    double tri;
                    if (f <= edges[m] || f >= edges[m + 2]) {
                        tri = 0;
                    } else if (f <= edges[m + 1]) {
                        tri = (f - edges[m]) / (edges[m + 1] - edges[m]);
                    } else {
                        tri = (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]);
                    }
                    e += tri * 2 / (edges[m + 2] - edges[m]) * power[t][k]; // unit-area triangle
                }
                out[m][t] = Math.log(Math.max(e, 1e-10));
            }
        }
        return out;
    }

    /** Slaney's Auditory Toolbox mel: 3 mels per 200 Hz up to 1 kHz, then 27 mels per factor 6.4. */
    private static double slaneyMel(double hz) {
        return hz < 1000 ? 3 * hz / 200 : 15 + 27 * Math.log(hz / 1000) / Math.log(6.4);
    }

    private static double slaneyHz(double mel) {
        return mel < 15 ? 200 * mel / 3 : 1000 * Math.pow(6.4, (mel - 15) / 27);
    }
}
