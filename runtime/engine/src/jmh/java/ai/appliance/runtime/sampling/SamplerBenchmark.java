package ai.appliance.runtime.sampling;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One sampled token over the 1.5B model's 151936-token vocabulary with the server's default sampling
 * (temperature 0.7 here, top-p 0.95, no top-k): the per-stream cost the scheduler thread pays every step.
 * Logits are Gaussian with standard deviation {@code sigma}: 0.05 is nearly flat (a random-weight model),
 * 3 is peaked.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class SamplerBenchmark {

    @Param({"0.05", "1", "3"})
    public double sigma;

    private Sampler sampler;
    private float[] logits;
    private final int[] context = new int[0];

    @Setup
    public void setUp() {
        var random = new SplittableRandom(7);
        logits = new float[151936];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (random.nextGaussian() * sigma);
        sampler = new Sampler(SamplerSettings.builder().temperature(0.7).topP(0.95).seed(1L).build(), logits.length);
    }

    @Benchmark
    public int sample() {
        return sampler.sample(logits, context, 0);
    }
}
