package ai.chorus.prep.audio;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MelFilterbankTest {

    /** Values from librosa's documentation of hz_to_mel / mel_to_hz (htk=False). */
    @Test
    void slaneyScaleMatchesLibrosasDocumentedValues() {
        assertEquals(0.9, MelFilterbank.hzToMel(60), 1e-12);
        assertEquals(1.65, MelFilterbank.hzToMel(110), 1e-12);
        assertEquals(3.3, MelFilterbank.hzToMel(220), 1e-12);
        assertEquals(6.6, MelFilterbank.hzToMel(440), 1e-12);
        assertEquals(200.0, MelFilterbank.melToHz(3), 1e-12);
        assertEquals(66.667, MelFilterbank.melToHz(1), 1e-3);
        // The log part: 1 kHz is 15 mels and every factor 6.4 adds 27.
        assertEquals(15.0, MelFilterbank.hzToMel(1000), 1e-12);
        assertEquals(42.0, MelFilterbank.hzToMel(6400), 1e-12);
        for (double hz : new double[]{0, 37, 999.9, 1000, 4321, 8000, 22_050}) {
            assertEquals(hz, MelFilterbank.melToHz(MelFilterbank.hzToMel(hz)), 1e-9 * Math.max(1, hz));
        }
    }

    /** Slaney normalisation makes each triangle's area in Hz one; bands 4+ bins wide show it on the bin grid. */
    @Test
    void wideBandsHaveUnitArea() {
        MelFilterbank fb = MelFilterbank.slaney(16_000, 400, 64, 0, 8000);
        double binHz = 16_000 / 400.0;
        double[] centres = fb.centerFrequencies();
        int checked = 0;
        for (int m = 0; m < 63; m++) {
            double width = (m + 1 < 64 ? centres[m + 1] : 8000) - (m > 0 ? centres[m - 1] : 0);
            if (width < 4 * binHz) { // narrow triangles are sampled too coarsely by the bin grid
                continue;
            }
            double area = 0;
            for (int k = 0; k < fb.nBins(); k++) {
                area += fb.weight(m, k) * binHz;
            }
            assertEquals(1.0, area, 0.04, "band " + m);
            checked++;
        }
        assertTrue(checked >= 30, "only " + checked + " wide bands");
    }

    @Test
    void centresRiseAndPeakAtOneOnTheirOwnBinWhenAligned() {
        MelFilterbank fb = MelFilterbank.slaney(16_000, 400, 64, 0, 8000);
        double[] c = fb.centerFrequencies();
        for (int m = 1; m < c.length; m++) {
            assertTrue(c[m] > c[m - 1]);
        }
        assertTrue(c[0] > 0 && c[63] < 8000);
        // A weight never exceeds the triangle's peak 2 / (upper - lower corner).
        for (int m = 1; m < 63; m++) {
            double peak = 2 / (c[m + 1] - c[m - 1]);
            for (int k = 0; k < fb.nBins(); k++) {
                assertTrue(fb.weight(m, k) <= peak + 1e-15);
            }
        }
    }

    @Test
    void detectsEmptyBands() {
        assertEquals(-1, MelFilterbank.slaney(16_000, 400, 64, 0, 8000).firstEmptyBand());
        assertTrue(MelFilterbank.slaney(16_000, 400, 256, 0, 8000).firstEmptyBand() >= 0);
    }
}
