package ai.chorus.prep.video;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class FrameSamplerTest {
    @Test
    void takesTheMiddleFrameOfEachSegment() {
        assertArrayEquals(new int[] {1, 3, 5, 7, 9, 11, 13, 15}, FrameSampler.uniformIndices(16, 8));
        assertArrayEquals(new int[] {12, 37, 62, 87}, FrameSampler.uniformIndices(100, 4));
        assertArrayEquals(new int[] {5}, FrameSampler.uniformIndices(10, 1));
    }

    @Test
    void shortClipsRepeatFrames() {
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 2, 2, 2}, FrameSampler.uniformIndices(3, 8));
        assertArrayEquals(new int[] {0, 0, 0, 0}, FrameSampler.uniformIndices(1, 4));
    }

    @Test
    void indicesStayInRangeAndNeverDecrease() {
        for (int n = 1; n <= 300; n++) {
            for (int t = 1; t <= 40; t++) {
                int[] idx = FrameSampler.uniformIndices(n, t);
                for (int i = 0; i < t; i++) {
                    assertTrue(idx[i] >= 0 && idx[i] < n, "n=" + n + " t=" + t);
                    assertTrue(i == 0 || idx[i] >= idx[i - 1], "n=" + n + " t=" + t);
                }
            }
        }
    }
}
