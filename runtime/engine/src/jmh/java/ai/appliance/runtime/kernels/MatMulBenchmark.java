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
 * Prompt processing's kernel on one thread: a weight matrix times a chunk of 64 activation rows.
 * {@code tiled} is {@link MatMul#rows} (register tiles); {@code decode} is its decoding part alone;
 * {@code rowByRow} decodes each weight row and takes one dot product per activation row (the untiled
 * form it replaced). The
 * {@code flops} counter is 2·rows·columns·batch per call. {@code -p weights=memory} reads the weights
 * from DRAM on every call instead of from the caches.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:+UseParallelGC"})
public class MatMulBenchmark {

    @Param({"Q8_0", "Q4_K", "F16"})
    public GgmlType type;

    @Param({"1536x1536", "8960x1536", "1536x8960"})
    public String shape;

    @Param({"64"})
    public int batch;

    /**
     * Where the weights come from: {@code cache}, one matrix used over and over (it stays in the
     * caches where it fits); {@code memory}, copies totalling at least {@link #MEMORY_BYTES} used in
     * turn, so every call reads its weights from DRAM, as a decode step over a whole model does;
     * {@code file}, the same copies read through a memory-mapped file, as the engine reads a model.
     */
    @Param({"cache"})
    public String weights;

    private static final long MEMORY_BYTES = 512L << 20;

    private Arena arena;
    private Tensor[] copies;
    private int next;
    private float[] x;
    private float[] out;
    private float[] scratch;

    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Work {
        /** Floating-point operations (a multiply-add counts 2). */
        public long flops;

        @Setup(Level.Iteration)
        public void reset() {
            flops = 0;
        }
    }

    @Setup
    public void setup() throws java.io.IOException {
        var dims = shape.split("x");
        int rows = Integer.parseInt(dims[0]);
        int columns = Integer.parseInt(dims[1]);
        var random = new SplittableRandom(7);
        arena = Arena.ofShared();
        var first = BenchWeights.matrix("w", type, rows, columns, arena, random);
        int count = switch (weights) {
            case "cache" -> 1;
            case "memory", "file" -> (int) Math.max(2, (MEMORY_BYTES + first.data().byteSize() - 1) / first.data().byteSize());
            default -> throw new IllegalArgumentException("weights must be cache, memory or file, got " + weights);
        };
        copies = new Tensor[count];
        copies[0] = first;
        for (int i = 1; i < count; i++) copies[i] = BenchWeights.matrix("w" + i, type, rows, columns, arena, random);
        if (weights.equals("file")) mapFromFile();
        x = BenchWeights.activations(batch * columns, random);
        out = new float[batch * rows];
        scratch = new float[Math.max(MatMul.scratchSize(columns), columns)];
    }

    /**
     * The copies written to a file and replaced by views of its memory mapping: file pages, as the
     * engine's model weights are, instead of anonymous memory (which the kernel may back with 2 MiB pages).
     */
    private void mapFromFile() throws java.io.IOException {
        file = java.nio.file.Files.createTempFile("matmul-bench", ".bin");
        long bytes = copies[0].data().byteSize();
        try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.READ)) {
            for (var copy : copies) channel.write(copy.data().asByteBuffer());
            var mapped = channel.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0, bytes * copies.length, arena);
            for (int i = 0; i < copies.length; i++) {
                var c = copies[i];
                copies[i] = new Tensor(c.name(), c.type(), c.shape(), mapped.asSlice(i * bytes, bytes));
            }
        }
    }

    private java.nio.file.Path file;

    @TearDown
    public void tearDown() throws java.io.IOException {
        arena.close();
        if (file != null) java.nio.file.Files.deleteIfExists(file);
    }

    /** The next copy of the weights (always the same one for {@code cache}). */
    private Tensor nextWeight() {
        var weight = copies[next];
        next = (next + 1) % copies.length;
        return weight;
    }

    @Benchmark
    public float[] tiled(Work work) {
        var weight = nextWeight();
        int rows = (int) weight.rowCount();
        int columns = (int) weight.rowLength();
        MatMul.rows(type, weight.data(), type.bytesFor(columns), columns, rows, 0, rows, x, batch, out, scratch);
        work.flops += 2L * rows * columns * batch;
        return out;
    }

    /** The decoding part of {@code tiled} alone: every weight row to F32, as {@link MatMul#rows} does once per call. */
    @Benchmark
    public float[] decode(Work work) {
        var weight = nextWeight();
        int rows = (int) weight.rowCount();
        int columns = (int) weight.rowLength();
        long rowBytes = type.bytesFor(columns);
        for (int r = 0; r < rows; r++) VectorDequantize.values(type, weight.data(), r * rowBytes, scratch, 0, columns);
        work.flops += 2L * rows * columns * batch;
        return scratch;
    }

    @Benchmark
    public float[] rowByRow(Work work) {
        var weight = nextWeight();
        int rows = (int) weight.rowCount();
        int columns = (int) weight.rowLength();
        long rowBytes = type.bytesFor(columns);
        for (int r = 0; r < rows; r++) {
            Dequantize.values(type, weight.data(), r * rowBytes, scratch, 0, columns);
            for (int b = 0; b < batch; b++) out[b * rows + r] = VectorDot.dot(scratch, 0, x, b * columns, columns);
        }
        work.flops += 2L * rows * columns * batch;
        return out;
    }
}
