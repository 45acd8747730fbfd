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
 * it into a checksum with vector XORs: loads and nothing else, so the figure is the memory system's,
 * not the arithmetic's. Regions larger than the caches make it DRAM bandwidth. Passes alternate two
 * ways of walking a share ({@link Walk}), since which one the memory system serves faster depends on
 * the machine and on the page size the weights are mapped with; {@link ReadRate} takes the best pass
 * as the limit and the faster walk's median as the typical rate.
 */
public final class ReadBandwidth {
    private static final VectorSpecies<Long> SPECIES = LongVector.SPECIES_PREFERRED;
    private static final int PASSES = 6;

    /**
     * How a thread walks its share of a region. Decode reads four rows far apart at once, so four
     * streams is its own pattern; with the weights in 2 MiB pages one stream read faster on the Zen 5
     * development VM (up to 59 against up to 41 GB/s with one vector per stream and step, 2 threads),
     * and decode outran a probe that walked four streams only.
     */
    enum Walk { FOUR_STREAMS, ONE_STREAM }
    private static final long WARM_UP_BYTES = 64L << 20;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static volatile long sink;

    private ReadBandwidth() {
    }

    /**
     * The rates of passes, in bytes read per second, by the {@link Walk} each took. Kept apart because
     * the walks' rates differ by up to 2x on one machine (which one is faster depends on the machine and
     * the page size), so a median over both would describe neither.
     */
    public record Passes(double[] fourStreams, double[] oneStream) {

        /** These passes and {@code later}'s together. */
        public Passes and(Passes later) {
            return new Passes(concat(fourStreams, later.fourStreams), concat(oneStream, later.oneStream));
        }

        private static double[] concat(double[] a, double[] b) {
            var all = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, all, a.length, b.length);
            return all;
        }
    }

    /**
     * {@value #PASSES} passes with {@code threads} threads, the two {@link Walk}s alternately.
     * {@link ReadRate} makes the limit (the best pass) and the typical rate of them: on a shared host
     * passes vary by 2x with the neighbours' load.
     */
    public static Passes passes(List<MemorySegment> regions, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        warmUp(regions);
        long total = regions.stream().mapToLong(MemorySegment::byteSize).sum();
        var four = new double[PASSES / 2];
        var one = new double[PASSES / 2];
        for (int p = 0; p < PASSES / 2; p++) {
            four[p] = total / (pass(regions, threads, Walk.FOUR_STREAMS) / 1e9);
            one[p] = total / (pass(regions, threads, Walk.ONE_STREAM) / 1e9);
        }
        return new Passes(four, one);
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
        for (int i = 0; i < 8; i++) for (var r : first) for (var walk : Walk.values()) sink ^= checksum(r, 0, r.byteSize(), walk);
    }

    /** Nanoseconds for {@code threads} threads to read every region once. */
    private static long pass(List<MemorySegment> regions, int threads, Walk walk) {
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
                        sum ^= checksum(r, from, to, walk);
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
     * XOR of the bytes [from, to) of {@code r} read as longs (the last few bytes as single bytes),
     * walked as {@code walk} says. Two or four vectors per stream and step: with one 64-byte load per
     * stream and step the loop measured a quarter below decode itself.
     */
    static long checksum(MemorySegment r, long from, long to, Walk walk) {
        return switch (walk) {
            case FOUR_STREAMS -> fourStreams(r, from, to);
            case ONE_STREAM -> oneStream(r, from, to);
        };
    }

    /** The four quarters of the range at once, as decode reads four rows far apart. */
    private static long fourStreams(MemorySegment r, long from, long to) {
        int step = SPECIES.vectorByteSize();
        long quarter = (to - from) / 4 / (2 * step) * (2 * step);
        var a0 = LongVector.zero(SPECIES);
        var a1 = LongVector.zero(SPECIES);
        var a2 = LongVector.zero(SPECIES);
        var a3 = LongVector.zero(SPECIES);
        long q1 = from + quarter, q2 = q1 + quarter, q3 = q2 + quarter;
        for (long i = 0; i < quarter; i += 2 * step) {
            a0 = a0.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, from + i, LE))
                    .lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, from + i + step, LE));
            a1 = a1.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, q1 + i, LE))
                    .lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, q1 + i + step, LE));
            a2 = a2.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, q2 + i, LE))
                    .lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, q2 + i + step, LE));
            a3 = a3.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, q3 + i, LE))
                    .lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, q3 + i + step, LE));
        }
        return fold(a0, a1, a2, a3) ^ bytes(r, q3 + quarter, to);
    }

    /** The range front to back. */
    private static long oneStream(MemorySegment r, long from, long to) {
        int step = SPECIES.vectorByteSize();
        long end = from + (to - from) / (4 * step) * (4 * step);
        var a0 = LongVector.zero(SPECIES);
        var a1 = LongVector.zero(SPECIES);
        var a2 = LongVector.zero(SPECIES);
        var a3 = LongVector.zero(SPECIES);
        for (long i = from; i < end; i += 4 * step) {
            a0 = a0.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, i, LE));
            a1 = a1.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, i + step, LE));
            a2 = a2.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, i + 2 * step, LE));
            a3 = a3.lanewise(VectorOperators.XOR, LongVector.fromMemorySegment(SPECIES, r, i + 3 * step, LE));
        }
        return fold(a0, a1, a2, a3) ^ bytes(r, end, to);
    }

    private static long fold(LongVector a0, LongVector a1, LongVector a2, LongVector a3) {
        return a0.lanewise(VectorOperators.XOR, a1).lanewise(VectorOperators.XOR, a2.lanewise(VectorOperators.XOR, a3))
                .reduceLanes(VectorOperators.XOR);
    }

    private static long bytes(MemorySegment r, long from, long to) {
        long sum = 0;
        for (long i = from; i < to; i++) sum ^= r.get(ValueLayout.JAVA_BYTE, i);
        return sum;
    }
}
