package ai.appliance.runtime.kernels;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What one core's vector units do at best through the Vector API, the ceiling the kernels are judged
 * against: vector fused multiply-adds per second with every operand in a register ({@code registers}),
 * and with one operand a vector loaded from L1 (32 KiB read over and over): from a {@code float[]}
 * ({@code fromL1}; where in a cache line a Java array starts is up to the heap), from native memory
 * aligned to 64 bytes ({@code fromL1Aligned}: no load crosses a cache line), and from the same memory
 * 16 bytes further ({@code fromL1Split}: every load of a full vector spans two lines). Twelve (eight)
 * independent accumulators, so latency never bounds them. Score = vector FMA instructions/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class VectorPeakBenchmark {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final int STEPS = 1 << 16;
    /** 32 KiB: inside any L1 data cache the kernels run on. */
    private final float[] data = new float[8192];

    private final MemorySegment native64 = Arena.ofAuto().allocate(4L * data.length + 64, 64);

    public VectorPeakBenchmark() {
        for (int i = 0; i < data.length; i++) data[i] = 1e-9f;
        for (long i = 0; i < native64.byteSize() / 4; i++) native64.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, 1e-9f);
    }

    @Benchmark
    @OperationsPerInvocation(12 * STEPS)
    public float registers() {
        var u = FloatVector.fromArray(F, data, 0);
        var v = FloatVector.fromArray(F, data, L);
        var a0 = FloatVector.zero(F); var a1 = FloatVector.zero(F); var a2 = FloatVector.zero(F); var a3 = FloatVector.zero(F);
        var a4 = FloatVector.zero(F); var a5 = FloatVector.zero(F); var a6 = FloatVector.zero(F); var a7 = FloatVector.zero(F);
        var a8 = FloatVector.zero(F); var a9 = FloatVector.zero(F); var a10 = FloatVector.zero(F); var a11 = FloatVector.zero(F);
        for (int i = 0; i < STEPS; i++) {
            a0 = u.fma(v, a0); a1 = u.fma(v, a1); a2 = u.fma(v, a2); a3 = u.fma(v, a3);
            a4 = u.fma(v, a4); a5 = u.fma(v, a5); a6 = u.fma(v, a6); a7 = u.fma(v, a7);
            a8 = u.fma(v, a8); a9 = u.fma(v, a9); a10 = u.fma(v, a10); a11 = u.fma(v, a11);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    @OperationsPerInvocation(8 * STEPS)
    public float fromL1() {
        var u = FloatVector.fromArray(F, data, 0);
        var a0 = FloatVector.zero(F); var a1 = FloatVector.zero(F); var a2 = FloatVector.zero(F); var a3 = FloatVector.zero(F);
        var a4 = FloatVector.zero(F); var a5 = FloatVector.zero(F); var a6 = FloatVector.zero(F); var a7 = FloatVector.zero(F);
        int mask = data.length / (8 * L) - 1;
        for (int i = 0; i < STEPS; i++) {
            int o = (i & mask) * 8 * L;
            a0 = u.fma(FloatVector.fromArray(F, data, o), a0);
            a1 = u.fma(FloatVector.fromArray(F, data, o + L), a1);
            a2 = u.fma(FloatVector.fromArray(F, data, o + 2 * L), a2);
            a3 = u.fma(FloatVector.fromArray(F, data, o + 3 * L), a3);
            a4 = u.fma(FloatVector.fromArray(F, data, o + 4 * L), a4);
            a5 = u.fma(FloatVector.fromArray(F, data, o + 5 * L), a5);
            a6 = u.fma(FloatVector.fromArray(F, data, o + 6 * L), a6);
            a7 = u.fma(FloatVector.fromArray(F, data, o + 7 * L), a7);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }

    @Benchmark
    @OperationsPerInvocation(8 * STEPS)
    public float fromL1Aligned() {
        return fromSegment(0);
    }

    @Benchmark
    @OperationsPerInvocation(8 * STEPS)
    public float fromL1Split() {
        return fromSegment(16);
    }

    private float fromSegment(long start) {
        var s = native64;
        var u = FloatVector.fromMemorySegment(F, s, start, ByteOrder.LITTLE_ENDIAN);
        var a0 = FloatVector.zero(F); var a1 = FloatVector.zero(F); var a2 = FloatVector.zero(F); var a3 = FloatVector.zero(F);
        var a4 = FloatVector.zero(F); var a5 = FloatVector.zero(F); var a6 = FloatVector.zero(F); var a7 = FloatVector.zero(F);
        long vector = 4L * L;
        int mask = data.length / (8 * L) - 1;
        for (int i = 0; i < STEPS; i++) {
            long o = start + (i & mask) * 8 * vector;
            a0 = u.fma(FloatVector.fromMemorySegment(F, s, o, ByteOrder.LITTLE_ENDIAN), a0);
            a1 = u.fma(FloatVector.fromMemorySegment(F, s, o + vector, ByteOrder.LITTLE_ENDIAN), a1);
            a2 = u.fma(FloatVector.fromMemorySegment(F, s, o + 2 * vector, ByteOrder.LITTLE_ENDIAN), a2);
            a3 = u.fma(FloatVector.fromMemorySegment(F, s, o + 3 * vector, ByteOrder.LITTLE_ENDIAN), a3);
            a4 = u.fma(FloatVector.fromMemorySegment(F, s, o + 4 * vector, ByteOrder.LITTLE_ENDIAN), a4);
            a5 = u.fma(FloatVector.fromMemorySegment(F, s, o + 5 * vector, ByteOrder.LITTLE_ENDIAN), a5);
            a6 = u.fma(FloatVector.fromMemorySegment(F, s, o + 6 * vector, ByteOrder.LITTLE_ENDIAN), a6);
            a7 = u.fma(FloatVector.fromMemorySegment(F, s, o + 7 * vector, ByteOrder.LITTLE_ENDIAN), a7);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).reduceLanes(VectorOperators.ADD);
    }
}
