package ai.chorus.report;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RankHistogramTest {

    @Test
    void countsEachRankInItsBin() {
        int[] ranks = {1, 1, 2, 3, 5, 6, 10, 11, 50, 51, 100, 101, 5000};
        List<RankHistogram.Bin> bins = RankHistogram.of(ranks, 10_000);
        assertEquals(List.of(new RankHistogram.Bin("1", 2), new RankHistogram.Bin("2", 1),
                new RankHistogram.Bin("3–5", 2), new RankHistogram.Bin("6–10", 2), new RankHistogram.Bin("11–50", 2),
                new RankHistogram.Bin("51–100", 2), new RankHistogram.Bin(">100", 2)), bins);
    }

    @Test
    void binsPastTheCandidateSetAreLeftOut() {
        List<RankHistogram.Bin> bins = RankHistogram.of(new int[] {1, 4, 4}, 8);
        assertEquals(List.of("1", "2", "3–5", "6–10"), bins.stream().map(RankHistogram.Bin::label).toList());
        assertEquals(0, bins.get(3).count());
        assertEquals(2, bins.get(2).count());
    }

    @Test
    void zeroBasedRanksAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> RankHistogram.of(new int[] {0}, 5));
    }
}
