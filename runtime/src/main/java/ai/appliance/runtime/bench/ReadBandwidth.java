package ai.appliance.runtime.bench;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * How fast this machine reads the given memory (a model's decode weights) with a number of threads:
 * the limit that decode, which reads every weight once per token, cannot beat. Measured, not taken
 * from a data sheet, because on a shared host it moves with the neighbours' load: a decode figure
 * means little without the bandwidth measured beside it.
 *
 * <p>Each thread streams its share of every region (as decode splits every matrix's rows) and folds
 * it into a checksum with vector XORs: one load per vector and nothing else, so the figure is the
 * memory system's, not the arithmetic's. Regions larger than the caches make it DRAM bandwidth.
 */
public final class ReadBandwidth {
    private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_PREFERRED;
    private static final int PASSES = 5;
    private static final long WARM_UP_BYTES = 64L << 20;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static volatile long sink;

    private ReadBandwidth() {
    }

    /**
     * The best of {@value #PASSES} passes, in bytes read per second with {@code threads} threads: a
     * limit is what the machine can reach, and on a shared host passes vary by 2x with the neighbours'
     * load, always downwards.
     */
    public static double bytesPerSecond(List<MemorySegment> regions, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        warmUp(regions);
        var samples = new double[PASSES];
        long total = regions.stream().mapToLong(MemorySegment::byteSize).sum();
        for (int p = 0; p < PASSES; p++) samples[p] = total / (pass(regions, threads) / 1e9);
        return Arrays.stream(samples).max().orElseThrow();
    }

    /** Compiles the read loop before anything is timed: interpreted, it would measure the interpreter. */
    private static void warmUp(List<MemorySegment> regions) {
        long left = WARM_UP_BYTES;
        var first = new ArrayList<MemorySegment>();
        for (var r : regions) {
            if (left <= 0) break;
            long n = Math.min(left, r.byteSize());
            first.add(r.asSlice(0, n));
            left -= n;
        }
        for (int i = 0; i < 8; i++) for (var r : first) sink ^= checksum(r, 0, r.byteSize());
    }

    /** Nanoseconds for {@code threads} threads to read every region once. */
    private static long pass(List<MemorySegment> regions, int threads) {
        var start = new CountDownLatch(1);
        var done = new CountDownLatch(threads);
        for (int t = 0; t < threads; t++) {
            int share = t;
            Thread.ofPlatform().daemon().name("bandwidth-" + t).start(() -> {
                try {
                    start.await();
                    long sum = 0;
                    for (var r : regions) {
                        long from = r.byteSize() * share / threads;
                        long to = r.byteSize() * (share + 1) / threads;
                        sum ^= checksum(r, from, to);
                    }
                    sink ^= sum;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        long begin = System.nanoTime();
        start.countDown();
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring memory bandwidth", e);
        }
        return System.nanoTime() - begin;
    }

    /**
     * XOR of the bytes [from, to) of {@code r} read as longs (the last few bytes as single bytes). The
     * range is read as four interleaved streams, its quarters, as decode reads four rows at once: one
     * stream at a time leaves the memory system idle between a thread's requests and measures less
     * than decode itself reaches.
     */
    static long checksum(MemorySegment r, long from, long to) {
        int step = SPECIES.vectorByteSize();
        long quarter = (to - from) / 4 / step * step;
        var a0 = LongVector.zero(SPECIES);
        var a1 = LongVector.zero(SPECIES);
        var a2 = LongVector.zero(SPECIES);
        var a3 = LongVector.zero(SPECIES);
        long q1 = from + quarter, q2 = q1 + quarter, q3 = q2 + quarter;
        for (long i = 0; i < quarter; i += step) {
            a0 = a0.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, from + i, LE));
            a1 = a1.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, q1 + i, LE));
            a2 = a2.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, q2 + i, LE));
            a3 = a3.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, q3 + i, LE));
        }
        long sum = a0.lanewise(VectorOperators.XOR, a1).lanewise(VectorOperators.XOR, a2.lanewise(VectorOperators.XOR, a3))
                .reduceLanes(VectorOperators.XOR);
        for (long i = q3 + quarter; i < to; i++) sum ^= r.get(ValueLayout.JAVA_BYTE, i);
        return sum;
    }
}
