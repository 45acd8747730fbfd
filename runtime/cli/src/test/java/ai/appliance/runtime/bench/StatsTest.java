package ai.appliance.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatsTest {

    @Test
    void meanAndSampleStandardDeviationAsLlamaBenchReportsThem() {
        var stats = Stats.of(new double[] {10, 12, 14});
        assertEquals(12, stats.mean(), 1e-12);
        assertEquals(2, stats.standardDeviation(), 1e-12);
    }

    @Test
    void oneSampleHasNoSpread() {
        assertEquals(0, Stats.of(new double[] {7}).standardDeviation());
        assertThrows(IllegalArgumentException.class, () -> Stats.of(new double[0]));
    }

    @Test
    void testLabelsFollowLlamaBench() {
        assertEquals("pp512", BenchTest.prompt(512).label());
        assertEquals("tg128", BenchTest.generation(128).label());
        assertEquals("tg128 x8", BenchTest.generation(128, 8).label());
        assertEquals(1024, BenchTest.generation(128, 8).totalTokens());
        assertThrows(IllegalArgumentException.class, () -> new BenchTest(BenchTest.Kind.PROMPT, 16, 2));
        assertThrows(IllegalArgumentException.class, () -> BenchTest.generation(0));
    }
}
