package ai.appliance.runtime.kernels;

import ai.appliance.runtime.model.RopeStyle;
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
 * The per-token kernels besides the matrix products, at the 1.5B model's sizes (width 1536,
 * 12 query heads and 2 key-value heads of 128, feed-forward 8960), one thread, microseconds per call.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class LayerOpsBenchmark {
    private static final int DIM = 1536, HEADS = 12, KV_HEADS = 2, HEAD_DIM = 128, FFN = 8960;

    /** Cached positions the attention benchmark's query attends to. */
    @Param({"512"})
    public int positions;

    private float[] x, out, normWeight, gate, up, q, keys, values, scores, attention, cos, sin;
    private Rope rope;

    @Setup
    public void setup() {
        var random = new SplittableRandom(3);
        x = BenchWeights.activations(DIM, random);
        out = new float[DIM];
        normWeight = BenchWeights.activations(DIM, random);
        gate = BenchWeights.activations(FFN, random);
        up = BenchWeights.activations(FFN, random);
        q = BenchWeights.activations(HEADS * HEAD_DIM, random);
        keys = BenchWeights.activations(positions * KV_HEADS * HEAD_DIM, random);
        values = BenchWeights.activations(positions * KV_HEADS * HEAD_DIM, random);
        scores = new float[positions];
        attention = new float[HEADS * HEAD_DIM];
        rope = new Rope(Rope.plainFrequencies(HEAD_DIM, 10000.0), RopeStyle.HALVES);
        cos = new float[HEAD_DIM / 2];
        sin = new float[HEAD_DIM / 2];
        rope.angles(positions - 1, cos, sin, 0);
    }

    @Benchmark
    public float[] rmsNorm() {
        RmsNorm.apply(x, 0, normWeight, 1e-6f, out, 0, DIM);
        return out;
    }

    @Benchmark
    public float[] ropeQuery() {
        rope.rotate(q, 0, HEADS, cos, sin, 0);
        return q;
    }

    @Benchmark
    public float[] swiGlu() {
        var g = gate.clone();
        SwiGlu.apply(g, up, 0, FFN);
        return g;
    }

    @Benchmark
    public float[] attentionAllHeads() {
        int kvStride = KV_HEADS * HEAD_DIM;
        for (int h = 0; h < HEADS; h++) {
            Attention.head(q, h * HEAD_DIM, keys, values, (h / (HEADS / KV_HEADS)) * HEAD_DIM, kvStride, positions, HEAD_DIM,
                    scores, attention, h * HEAD_DIM);
        }
        return attention;
    }
}
