package ai.appliance.runtime.bench;

/**
 * Tokens per second of one test at one thread count, over the measured repetitions.
 *
 * @param readBytesPerSecond the machine's memory read bandwidth with as many threads, the best pass of
 *                           those measured just before and after the test, or NaN where not measured
 */
public record BenchResult(BenchTest test, int threads, Stats tokensPerSecond, double readBytesPerSecond) {

    /**
     * The share of the read bandwidth that decode used: weight bytes per token times tokens/s over the
     * bandwidth; NaN unless this is a one-sequence generation test with the bandwidth measured.
     */
    public double bandwidthUse(long bytesPerToken) {
        return test.isSingleSequenceDecode() ? bytesPerToken * tokensPerSecond.mean() / readBytesPerSecond : Double.NaN;
    }
}
