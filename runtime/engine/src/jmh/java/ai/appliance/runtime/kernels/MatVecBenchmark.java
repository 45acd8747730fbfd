package ai.appliance.runtime.kernels;

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
 * Decode's kernel on one thread: one weight matrix (the 1.5B model's shapes) times one activation
 * vector, a {@link VectorDot#dot} per row. The {@code bytes} counter is weight bytes read per second;
 * these matrices fit in L3, so it measures the kernel's arithmetic, not DRAM.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class MatVecBenchmark {

    @Param({"Q8_0", "Q4_0", "Q4_K", "Q6_K", "F16", "BF16", "F32", "FP8_E4M3"})
    public GgmlType type;

    /** rows x columns: attention (q, o), feed-forward up/gate, feed-forward down. */
    @Param({"1536x1536", "8960x1536", "1536x8960"})
    public String shape;

    private Arena arena;
    private Tensor weight;
    private float[] x;
    private float[] out;
    private float[] blockSums;
    private float[] scaled;
    private final float[] scratch = new float[VectorDot.DOT4_SCRATCH];

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
        var dims = shape.split("x");
        int rows = Integer.parseInt(dims[0]);
        int columns = Integer.parseInt(dims[1]);
        var random = new SplittableRandom(42);
        arena = Arena.ofShared();
        weight = BenchWeights.matrix("w", type, rows, columns, arena, random);
        x = BenchWeights.activations(columns, random);
        out = new float[rows];
        blockSums = new float[columns / 32];
        scaled = new float[columns];
    }

    @TearDown
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public float[] matvec(Traffic traffic) {
        int rows = (int) weight.rowCount();
        int columns = (int) weight.rowLength();
        long rowBytes = type.bytesFor(columns);
        var data = weight.data();
        // As CpuBackend: the activation's block sums (Q4_0, Q4_K) once per product, not per row.
        float[] sums = null;
        if (VectorDot.needsBlockSums(type)) {
            sums = blockSums;
            VectorDot.blockSums(x, 0, columns, sums);
        }
        var s = weight.scales(); // FP8: as CpuBackend, each row with its block row's scales
        for (int r = 0; r < rows; r++) {
            out[r] = s != null ? VectorDot.dotFp8(data, r * rowBytes, x, 0, columns, s.values(), s.rowOffset(r), s.columnBlock())
                    : VectorDot.dot(type, data, r * rowBytes, x, 0, columns, sums);
        }
        traffic.bytes += rows * rowBytes;
        return out;
    }

    /**
     * As CpuBackend runs decode on one thread's chunk: rows from the four quarters of the matrix at once
     * ({@link VectorDot#dot4}) where the type has that kernel, F16 with the activation scaled once
     * ({@link VectorDot#dot4HalvesScaled}); {@code matvec} for the other types.
     */
    @Benchmark
    public float[] fourRows(Traffic traffic) {
        if (!VectorDot.readsFourRowsAtOnce(type)) return matvec(traffic);
        int rows = (int) weight.rowCount();
        int columns = (int) weight.rowLength();
        long rowBytes = type.bytesFor(columns);
        var data = weight.data();
        int quarter = rows / 4;
        boolean scaledHalves = type == GgmlType.F16 && VectorDot.scaleForHalves(x, columns, scaled);
        float[] sums = null;
        if (VectorDot.needsBlockSums(type)) {
            sums = blockSums;
            VectorDot.blockSums(x, 0, columns, sums);
        }
        var s = weight.scales();
        for (int r = 0; r < quarter; r++) {
            if (s != null) {
                VectorDot.dot4Fp8(data, r * rowBytes, quarter * rowBytes, x, 0, columns, s.values(), s.rowOffset(r),
                        s.rowOffset(r + quarter), s.rowOffset(r + 2L * quarter), s.rowOffset(r + 3L * quarter), s.columnBlock(),
                        out, r, quarter);
            } else if (scaledHalves) VectorDot.dot4HalvesScaled(data, r * rowBytes, quarter * rowBytes, scaled, columns, out, r, quarter);
            else VectorDot.dot4(type, data, r * rowBytes, quarter * rowBytes, x, 0, columns, sums, scratch, out, r, quarter);
        }
        traffic.bytes += 4L * quarter * rowBytes;
        return out;
    }
}
