package ai.appliance.runtime.bench;

import java.util.Arrays;

/**
 * The memory read bandwidth measured beside a decode test, from the probe's passes before and after it.
 * The best pass is the limit decode cannot beat (as STREAM reports its best trial). The typical rate is
 * the median pass of the faster walk: on a shared host passes vary by up to 2x within seconds, so it
 * shows how far a short burst (the best pass) stands above what the host usually gave.
 *
 * @param bestBytesPerSecond    the fastest pass, bytes read per second; NaN where not measured
 * @param typicalBytesPerSecond the median pass of the walk with the higher median (the mean of the middle
 *                              two for an even count); NaN where not measured
 */
public record ReadRate(double bestBytesPerSecond, double typicalBytesPerSecond) {

    public static final ReadRate NOT_MEASURED = new ReadRate(Double.NaN, Double.NaN);

    public static ReadRate of(ReadBandwidth.Passes passes) {
        double best = Math.max(max(passes.fourStreams()), max(passes.oneStream()));
        return new ReadRate(best, Math.max(median(passes.fourStreams()), median(passes.oneStream())));
    }

    /** From device copy rates measured before and after a test (bytes read plus written per second). */
    public static ReadRate of(double[] before, double[] after) {
        var all = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(before), java.util.Arrays.stream(after)).toArray();
        return new ReadRate(max(all), median(all));
    }

    public boolean measured() {
        return !Double.isNaN(bestBytesPerSecond);
    }

    static double median(double[] rates) {
        if (rates.length == 0) throw new IllegalArgumentException("no bandwidth passes");
        var sorted = rates.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double max(double[] rates) {
        if (rates.length == 0) throw new IllegalArgumentException("no bandwidth passes");
        return Arrays.stream(rates).max().orElseThrow();
    }
}
