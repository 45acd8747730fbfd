package ai.appliance.runtime.bench;

/**
 * Tokens per second of one test at one thread count, over the measured repetitions.
 *
 * @param read the machine's memory read bandwidth with as many threads, from the probe's passes just
 *             before and after the test; {@link ReadRate#NOT_MEASURED} where not measured
 */
public record BenchResult(BenchTest test, int threads, Stats tokensPerSecond, ReadRate read) {

    /**
     * The share of the best pass's bandwidth (the limit) that decode used: weight bytes per token times
     * tokens/s over that bandwidth; NaN unless this is a one-sequence generation test with the bandwidth measured.
     */
    public double bandwidthUse(long bytesPerToken) {
        return useOf(bytesPerToken, read.bestBytesPerSecond());
    }

    /** As {@link #bandwidthUse}, against {@link ReadRate#typicalBytesPerSecond}: the share of what the host typically gave. */
    public double typicalBandwidthUse(long bytesPerToken) {
        return useOf(bytesPerToken, read.typicalBytesPerSecond());
    }

    private double useOf(long bytesPerToken, double bytesPerSecond) {
        return test.isSingleSequenceDecode() ? bytesPerToken * tokensPerSecond.mean() / bytesPerSecond : Double.NaN;
    }
}
