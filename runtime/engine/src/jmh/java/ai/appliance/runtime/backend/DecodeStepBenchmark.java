package ai.appliance.runtime.backend;

import ai.appliance.runtime.kernels.BenchWeights;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.Arena;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Every matrix-vector product of one decode step of DeepSeek-R1-Distill-Qwen-1.5B (28 layers of
 * q/k/v, o, gate/up, down, and the 151936-row output matrix) through {@link CpuBackend} exactly as
 * the transformer issues them, on random weights of one type (off-heap, 0.9 to 3.3 GB, so from
 * DRAM). Ops/s is decode tokens/s without attention and norms (small at short context), and the
 * {@code bytes} counter the weight bandwidth achieved: for types without model files (Q4_0, Q4_K,
 * BF16) this is the decode speed estimate.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC", "-Xmx2g"})
public class DecodeStepBenchmark {
    private static final int LAYERS = 28, DIM = 1536, KV = 256, FFN = 8960, VOCABULARY = 151936;

    @Param({"Q8_0", "Q4_0", "Q4_K", "F16", "BF16"})
    public GgmlType type;

    @Param({"1", "2"})
    public int threads;

    private Arena arena;
    private CpuBackend backend;
    private Tensor[][] qkv, gateUp;
    private Tensor[] o, down;
    private Tensor output;
    private float[] x, q, k, v, attention, projected, gate, up, logits;
    private float[][] qkvOut, gateUpOut;
    private long bytesPerStep;

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Traffic {
        /** Weight bytes read. */
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Setup
    public void setup() {
        var random = new SplittableRandom(1);
        arena = Arena.ofShared();
        backend = new CpuBackend(threads);
        qkv = new Tensor[LAYERS][];
        gateUp = new Tensor[LAYERS][];
        o = new Tensor[LAYERS];
        down = new Tensor[LAYERS];
        for (int l = 0; l < LAYERS; l++) {
            qkv[l] = new Tensor[] {matrix(DIM, DIM, random), matrix(KV, DIM, random), matrix(KV, DIM, random)};
            o[l] = matrix(DIM, DIM, random);
            gateUp[l] = new Tensor[] {matrix(FFN, DIM, random), matrix(FFN, DIM, random)};
            down[l] = matrix(DIM, FFN, random);
        }
        output = matrix(VOCABULARY, DIM, random);
        x = BenchWeights.activations(DIM, random);
        attention = BenchWeights.activations(DIM, random);
        q = new float[DIM];
        k = new float[KV];
        v = new float[KV];
        projected = new float[DIM];
        gate = BenchWeights.activations(FFN, random);
        up = new float[FFN];
        logits = new float[VOCABULARY];
        qkvOut = new float[][] {q, k, v};
        gateUpOut = new float[][] {gate, up};
    }

    private Tensor matrix(int rows, int columns, SplittableRandom random) {
        var t = BenchWeights.matrix("w", type, rows, columns, arena, random);
        bytesPerStep += t.data().byteSize();
        return t;
    }

    @TearDown
    public void tearDown() {
        backend.close();
        arena.close();
    }

    @Benchmark
    public float[] step(Traffic traffic) {
        for (int l = 0; l < LAYERS; l++) {
            backend.matmuls(qkv[l], x, 1, qkvOut);
            backend.matmul(o[l], attention, 1, projected);
            backend.matmuls(gateUp[l], x, 1, gateUpOut);
            backend.matmul(down[l], gate, 1, projected);
        }
        backend.matmul(output, x, 1, logits);
        traffic.bytes += bytesPerStep;
        return logits;
    }
}
