package ai.appliance.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class ServeBenchRoundTest {

    @Test
    void endToEndRateCountsPrefillTimeButDecodeRateDoesNot() {
        // Two streams: 2 s of prefill, then 10 tokens each over the next 3 s (first token at 2 s, last at 5 s).
        var round = new ServeBenchRound(List.of(
                new ServeBenchRound.Stream(10, 20, 0, 2.0, 5.0),
                new ServeBenchRound.Stream(10, 20, 0, 2.0, 5.0)), 5.0);
        assertEquals(20, round.tokens());
        assertEquals(4.0, round.endToEndRate(), 1e-9);
        assertEquals(2 * 9 / 3.0, round.decodeRate(), 1e-9);
        assertEquals(2.0, round.meanTimeToFirstToken(), 1e-9);
        assertEquals(20, round.promptTokens());
    }

    @Test
    void aStreamWithOneTokenAddsNothingToTheDecodeRate() {
        var round = new ServeBenchRound(List.of(
                new ServeBenchRound.Stream(1, 5, 0, 1.0, 1.0),
                new ServeBenchRound.Stream(5, 5, 0, 1.0, 3.0)), 3.0);
        assertEquals(2.0, round.decodeRate(), 1e-9);
    }

    @Test
    void repeatedRoundsReduceToTheMedianOfEachMeasure() {
        var fast = new ServeBenchRound(List.of(new ServeBenchRound.Stream(10, 5, 0, 1.0, 2.0)), 2.0);
        var slow = new ServeBenchRound(List.of(new ServeBenchRound.Stream(10, 5, 0, 3.0, 10.0)), 10.0);
        var middle = new ServeBenchRound(List.of(new ServeBenchRound.Stream(10, 5, 0, 2.0, 5.0)), 5.0);
        var median = ServeBenchRound.Median.of(List.of(fast, slow, middle));
        assertEquals(5.0, median.seconds(), 1e-9);
        assertEquals(2.0, median.endToEndRate(), 1e-9);
        assertEquals(2.0, median.meanTimeToFirstToken(), 1e-9);
        assertEquals(3.0, median.decodeRate(), 1e-9);
        assertEquals(10, median.tokens());
        // An even count averages the middle two.
        assertEquals(3.5, ServeBenchRound.Median.of(List.of(fast, middle)).seconds(), 1e-9);
    }
}
