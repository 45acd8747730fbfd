package ai.appliance.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BenchWarmUpTest {

    @Test
    void shortTestsAreWarmedUpOverSeveralRunsLongOnesOnce() {
        assertEquals(4, Bench.warmUpRuns(BenchTest.generation(16)));
        assertEquals(1, Bench.warmUpRuns(BenchTest.generation(128)));
        assertEquals(1, Bench.warmUpRuns(BenchTest.generation(8, 8)), "8 sequences of 8 tokens are 64 tokens");
        assertEquals(3, Bench.warmUpRuns(BenchTest.generation(30)), "rounded up");
        assertEquals(64, Bench.warmUpRuns(BenchTest.prompt(1)));
    }
}
