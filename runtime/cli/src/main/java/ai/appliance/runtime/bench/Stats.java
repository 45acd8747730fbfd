package ai.appliance.runtime.bench;

import java.util.Arrays;

/** Mean and sample standard deviation of repeated measurements (as llama-bench reports them). */
public record Stats(double mean, double standardDeviation, double[] samples) {

    public static Stats of(double[] samples) {
        if (samples.length == 0) throw new IllegalArgumentException("no samples");
        double mean = Arrays.stream(samples).average().orElseThrow();
        double squares = 0;
        for (double s : samples) squares += (s - mean) * (s - mean);
        double sd = samples.length > 1 ? Math.sqrt(squares / (samples.length - 1)) : 0;
        return new Stats(mean, sd, samples.clone());
    }
}
