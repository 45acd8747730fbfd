package ai.appliance.runtime.bench;

/** Tokens per second of one test at one thread count, over the measured repetitions. */
public record BenchResult(BenchTest test, int threads, Stats tokensPerSecond) {
}
