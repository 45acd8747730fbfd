package ai.appliance.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ReadRateTest {

    @Test
    void theLimitIsTheBestPassAndTheTypicalRateTheFasterWalksMedian() {
        var before = new ReadBandwidth.Passes(new double[] {30, 70, 50}, new double[] {20, 25, 22});
        var after = new ReadBandwidth.Passes(new double[] {40, 60, 80}, new double[] {21, 90, 24});
        var rate = ReadRate.of(before.and(after));
        assertEquals(90, rate.bestBytesPerSecond());
        // four streams: 30 40 50 60 70 80 -> 55; one stream: 20 21 22 24 25 90 -> 23
        assertEquals(55, rate.typicalBytesPerSecond(), 1e-12);
        assertEquals(30, ReadRate.median(new double[] {50, 10, 30}));
        assertTrue(rate.measured());
        assertThrows(IllegalArgumentException.class, () -> ReadRate.of(new ReadBandwidth.Passes(new double[0], new double[0])));
    }

    @Test
    void decodeIsComparedWithBothRatesAndOtherTestsWithNeither() {
        var decode = new BenchResult(BenchTest.generation(16), 2, Stats.of(new double[] {10}), new ReadRate(80, 50));
        assertEquals(0.5, decode.bandwidthUse(4), 1e-12);
        assertEquals(0.8, decode.typicalBandwidthUse(4), 1e-12);
        var prompt = new BenchResult(BenchTest.prompt(16), 2, Stats.of(new double[] {10}), ReadRate.NOT_MEASURED);
        assertFalse(prompt.read().measured());
        assertTrue(Double.isNaN(prompt.bandwidthUse(4)));
        var batched = new BenchResult(BenchTest.generation(16, 8), 2, Stats.of(new double[] {10}), new ReadRate(80, 50));
        assertTrue(Double.isNaN(batched.typicalBandwidthUse(4)));
    }
}
