package ai.appliance.runtime.kernels;

import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of weights stored in a {@link MemorySegment} (any {@link GgmlType}) with F32
 * activations, decoding each block in registers: the weights are read exactly once and never
 * copied. Falls back to the scalar path when the CPU's preferred vector holds fewer than 8 floats.
 */
public final class VectorDot {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int L = F.length();
    /** Whether the vector path is used: 8 (AVX2) or 16 (AVX-512) float lanes. */
    public static final boolean ENABLED = (L == 8 || L == 16) && IntVector.SPECIES_PREFERRED.length() == L;
    static final VectorSpecies<Byte> B = L == 16 ? ByteVector.SPECIES_128 : ByteVector.SPECIES_64;
    static final VectorSpecies<Short> S = L == 16 ? ShortVector.SPECIES_256 : ShortVector.SPECIES_128;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final float TWO_POW_112 = 0x1p112f;
    // Vector constants instead of int arguments: IntVector.and(int)/sub(int) go through an abstract
    // broadcast call that C2 sometimes cannot bind, which boxes every vector in the loop.
    static final IntVector NIBBLE = IntVector.broadcast(I, 0xf);
    private static final IntVector Q6_OFFSET = IntVector.broadcast(I, 32);
    private static final IntVector Q6_HIGH_0 = IntVector.broadcast(I, 0x03);
    private static final IntVector Q6_HIGH_1 = IntVector.broadcast(I, 0x0c);
    private static final IntVector Q6_HIGH_2 = IntVector.broadcast(I, 0x30);
    private static final IntVector Q6_HIGH_3 = IntVector.broadcast(I, 0xc0);
    private static final IntVector HALF_SIGN_EXPONENT_MANTISSA = IntVector.broadcast(I, 0x8fffe000);
    /** The bits of a float that an FP8 E4M3 byte fills once sign-extended to an int and shifted left by 20: sign, exponent, mantissa. */
    private static final int FP8_SIGN_EXPONENT_MANTISSA = 0x87f00000;
    static final IntVector FP8_FLOAT_BITS = IntVector.broadcast(I, FP8_SIGN_EXPONENT_MANTISSA);
    /** Rebases an FP8 E4M3 exponent placed in a float (bias 7 to bias 127): 2^120. */
    static final float FP8_REBASE = 0x1p120f;
    static final FloatVector FP8_REBASE_VECTOR = FloatVector.broadcast(F, FP8_REBASE);

    private VectorDot() {
    }

    /** Sum over i < n of w[i] * x[xOffset + i], where w is {@code n} values of {@code type} at byte {@code offset}. */
    public static float dot(GgmlType type, MemorySegment w, long offset, float[] x, int xOffset, int n) {
        if (!ENABLED) return ScalarDot.dot(type, w, offset, x, xOffset, n);
        if (needsBlockSums(type)) {
            var sums = BLOCK_SUMS.get();
            if (sums[0].length < n / 32) sums[0] = new float[n / 32];
            blockSums(x, xOffset, n, sums[0]);
            return dot(type, w, offset, x, xOffset, n, sums[0]);
        }
        return dot(type, w, offset, x, xOffset, n, null);
    }

    private static final ThreadLocal<float[][]> BLOCK_SUMS = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /**
     * Row {@code row} of {@code weight}, as a matrix of {@link Tensor#rowLength()} columns, times
     * x[xOffset..]: any type, FP8 with its block scales. For occasional rows; matrix products go through
     * the backend.
     */
    public static float dot(Tensor weight, long row, float[] x, int xOffset) {
        int n = (int) weight.rowLength();
        var type = weight.type();
        if (type == GgmlType.FP8_E4M3) {
            var s = weight.requireScales();
            return dotFp8(weight.data(), row * n, x, xOffset, n, s.values(), s.rowOffset(row), s.columnBlock());
        }
        return dot(type, weight.data(), row * type.bytesFor(n), x, xOffset, n);
    }

    /** Whether {@code type}'s kernel takes the activation's 32-value block sums (its zero point or mins multiply them). */
    public static boolean needsBlockSums(GgmlType type) {
        return ENABLED && (type == GgmlType.Q4_0 || type == GgmlType.Q4_K);
    }

    /** sums[i] = Σ x[xOffset + 32i .. xOffset + 32i + 31] for i &lt; n / 32: computed once per activation, used by every row. */
    public static void blockSums(float[] x, int xOffset, int n, float[] sums) {
        for (int b = 0; b < n / 32; b++) {
            var s = FloatVector.fromArray(F, x, xOffset + 32 * b);
            for (int j = L; j < 32; j += L) s = s.add(FloatVector.fromArray(F, x, xOffset + 32 * b + j));
            sums[b] = s.reduceLanes(VectorOperators.ADD);
        }
    }

    /**
     * As {@link #dot(GgmlType, MemorySegment, long, float[], int, int)}, with the activation's
     * {@link #blockSums} precomputed (required where {@link #needsBlockSums}, else ignored): a matrix
     * product computes them once for all rows instead of once per row.
     */
    public static float dot(GgmlType type, MemorySegment w, long offset, float[] x, int xOffset, int n, float[] blockSums) {
        if (!ENABLED) return ScalarDot.dot(type, w, offset, x, xOffset, n);
        return switch (type) {
            case F32 -> f32(w, offset, x, xOffset, n);
            case F16 -> f16(w, offset, x, xOffset, n);
            case BF16 -> bf16(w, offset, x, xOffset, n);
            case Q8_0 -> q8_0(w, offset, x, xOffset, n);
            case Q4_0 -> q4_0(w, offset, x, xOffset, n, blockSums);
            case Q4_K -> q4_K(w, offset, x, xOffset, n, blockSums);
            case Q6_K -> q6_K(w, offset, x, xOffset, n);
            case FP8_E4M3 -> throw new IllegalArgumentException(type + " rows need their block scales (VectorDot.dotFp8)");
        };
    }

    /**
     * Four rows {@code stride} bytes apart at once: out[i0 + k·iStride] = row at offset0 + k·stride · x.
     * For Q8_0 the rows are read as four interleaved streams: with rows far apart (the four quarters of
     * a thread's chunk) the memory system fetches them all at once. Decode of the 1.5B Q8_0 model,
     * idle machine: 7.8 tokens/s on one thread one row at a time, 9.1 with two streams, 10.6 with
     * four; F16 and BF16 likewise (F16 2-thread decode 8.4 -> 9.9). Only for the types of {@link #readsFourRowsAtOnce}
     * but FP8 E4M3, whose kernel takes its block scales ({@link #dot4Fp8});
     * {@code blockSums} as for {@link #dot(GgmlType, MemorySegment, long, float[], int, int, float[])};
     * {@code scratch}: {@link #DOT4_SCRATCH} floats that no other thread uses at the same time.
     */
    public static void dot4(GgmlType type, MemorySegment w, long offset0, long stride, float[] x, int xOffset, int n,
                            float[] blockSums, float[] scratch, float[] out, int i0, int iStride) {
        if (!readsFourRowsAtOnce(type) || type == GgmlType.FP8_E4M3) {
            throw new IllegalArgumentException(type + " has no four-row kernel here"
                    + (type == GgmlType.FP8_E4M3 ? " (VectorDot.dot4Fp8)" : ""));
        }
        if (type == GgmlType.Q4_0) {
            q4_0Quad(w, offset0, stride, x, xOffset, n, out, i0, iStride);
        } else if (type == GgmlType.Q4_K) {
            q4_KQuad(w, offset0, stride, x, xOffset, n, blockSums, scratch, out, i0, iStride);
        } else if (type == GgmlType.Q8_0) {
            q8_0Quad(w, offset0, stride, x, xOffset, n, out, i0, iStride);
        } else if (type == GgmlType.BF16) {
            bf16Quad(w, offset0, stride, x, xOffset, n, out, i0, iStride);
        } else {
            f16Quad(w, offset0, stride, x, xOffset, n, out, i0, iStride);
        }
    }

    /**
     * Whether {@link #dot4} interleaves four rows for {@code type} on this CPU. Where it does not, rows
     * are better read in order: four rows far apart, read one after the other, only break up the
     * sequential stream the hardware prefetcher follows.
     */
    public static boolean readsFourRowsAtOnce(GgmlType type) {
        return ENABLED && (((type == GgmlType.Q8_0 || type == GgmlType.Q4_0 || type == GgmlType.Q4_K
                || type == GgmlType.FP8_E4M3) && L == 16)
                || type == GgmlType.F16 || type == GgmlType.BF16);
    }

    /** Scalar product of the values from {@code from} to n of a 2-byte-per-value row (the vector loop's remainder). */
    private static float tail(GgmlType type, MemorySegment w, long rowOffset, float[] x, int xOffset, int from, int n) {
        return from < n ? ScalarDot.dot(type, w, rowOffset + 2L * from, x, xOffset + from, n - from) : 0f;
    }

    /** F16 rows where {@link #dot4HalvesScaled} does not apply (activations of 2^14 or more). */
    private static void f16Quad(MemorySegment w, long offset0, long stride, float[] x, int xOffset, int n,
                                float[] out, int i0, int iStride) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i + L <= n; i += L) {
            var v = FloatVector.fromArray(F, x, xOffset + i);
            long p = offset0 + 2L * i;
            acc0 = halfs(w, p).fma(v, acc0);
            acc1 = halfs(w, p + stride).fma(v, acc1);
            acc2 = halfs(w, p + 2 * stride).fma(v, acc2);
            acc3 = halfs(w, p + 3 * stride).fma(v, acc3);
        }
        quadTails(GgmlType.F16, acc0, acc1, acc2, acc3, w, offset0, stride, x, xOffset, i, n, out, i0, iStride);
    }

    /**
     * BF16 rows, two vectors of each row per step, as {@link #dot4HalvesScaled}. Written out, not
     * through {@link #bfloats}: see {@link #q4_0Quad} on C2's inlining budget.
     */
    private static void bf16Quad(MemorySegment w, long offset0, long stride, float[] x, int xOffset, int n,
                                 float[] out, int i0, int iStride) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            var v = FloatVector.fromArray(F, x, xOffset + i);
            var u = FloatVector.fromArray(F, x, xOffset + i + L);
            long p = offset0 + 2L * i;
            long q = p + 2L * L;
            acc0 = ((IntVector) ShortVector.fromMemorySegment(S, w, p, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(v, acc0);
            acc1 = ((IntVector) ShortVector.fromMemorySegment(S, w, p + stride, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(v, acc1);
            acc2 = ((IntVector) ShortVector.fromMemorySegment(S, w, p + 2 * stride, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(v, acc2);
            acc3 = ((IntVector) ShortVector.fromMemorySegment(S, w, p + 3 * stride, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(v, acc3);
            acc0 = ((IntVector) ShortVector.fromMemorySegment(S, w, q, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(u, acc0);
            acc1 = ((IntVector) ShortVector.fromMemorySegment(S, w, q + stride, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(u, acc1);
            acc2 = ((IntVector) ShortVector.fromMemorySegment(S, w, q + 2 * stride, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(u, acc2);
            acc3 = ((IntVector) ShortVector.fromMemorySegment(S, w, q + 3 * stride, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(u, acc3);
        }
        for (; i + L <= n; i += L) {
            var v = FloatVector.fromArray(F, x, xOffset + i);
            long p = offset0 + 2L * i;
            acc0 = bfloats(w, p).fma(v, acc0);
            acc1 = bfloats(w, p + stride).fma(v, acc1);
            acc2 = bfloats(w, p + 2 * stride).fma(v, acc2);
            acc3 = bfloats(w, p + 3 * stride).fma(v, acc3);
        }
        quadTails(GgmlType.BF16, acc0, acc1, acc2, acc3, w, offset0, stride, x, xOffset, i, n, out, i0, iStride);
    }

    /** out[i0 + k·iStride] = the lanes of acc_k plus row k's values from {@code from} to n, in scalar code. */
    private static void quadTails(GgmlType type, FloatVector acc0, FloatVector acc1, FloatVector acc2, FloatVector acc3,
                                  MemorySegment w, long offset0, long stride, float[] x, int xOffset, int from, int n,
                                  float[] out, int i0, int iStride) {
        out[i0] = acc0.reduceLanes(VectorOperators.ADD) + tail(type, w, offset0, x, xOffset, from, n);
        out[i0 + iStride] = acc1.reduceLanes(VectorOperators.ADD) + tail(type, w, offset0 + stride, x, xOffset, from, n);
        out[i0 + 2 * iStride] = acc2.reduceLanes(VectorOperators.ADD) + tail(type, w, offset0 + 2 * stride, x, xOffset, from, n);
        out[i0 + 3 * iStride] = acc3.reduceLanes(VectorOperators.ADD) + tail(type, w, offset0 + 3 * stride, x, xOffset, from, n);
    }

    /**
     * Four Q4_0 rows at once (as {@link #q8_0Quad}): the activation's two vectors per block, and the
     * zero point's share -8·(x0 + x1), computed once for four rows, the latter entering each row as
     * the addend of an FMA that a plain multiply would be anyway. Every vector operation is written
     * out here rather than called through a helper: C2 stops inlining our own methods once a
     * compilation grows past its node budget (NodeCountInliningCutoff), leaving every vector boxed,
     * while the Vector API's own methods, marked force-inline, still inline late.
     */
    private static void q4_0Quad(MemorySegment w, long offset0, long stride, float[] x, int xOffset, int n,
                                 float[] out, int i0, int iStride) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        for (int b = 0; b < n / 32; b++) {
            int xb = xOffset + 32 * b;
            long p0 = offset0 + 18L * b;
            long p1 = p0 + stride;
            long p2 = p1 + stride;
            long p3 = p2 + stride;
            var x0 = FloatVector.fromArray(F, x, xb);
            var x1 = FloatVector.fromArray(F, x, xb + 16);
            var zeroPoint = x0.add(x1).mul(-8f);
            var q0 = (IntVector) ByteVector.fromMemorySegment(B, w, p0 + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            var s0 = ((FloatVector) q0.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(x0, zeroPoint);
            s0 = ((FloatVector) q0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(x1, s0);
            acc0 = s0.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(Dequantize.I16, p0))), acc0);
            var q1 = (IntVector) ByteVector.fromMemorySegment(B, w, p1 + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            var s1 = ((FloatVector) q1.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(x0, zeroPoint);
            s1 = ((FloatVector) q1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(x1, s1);
            acc1 = s1.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(Dequantize.I16, p1))), acc1);
            var q2 = (IntVector) ByteVector.fromMemorySegment(B, w, p2 + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            var s2 = ((FloatVector) q2.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(x0, zeroPoint);
            s2 = ((FloatVector) q2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(x1, s2);
            acc2 = s2.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(Dequantize.I16, p2))), acc2);
            var q3 = (IntVector) ByteVector.fromMemorySegment(B, w, p3 + 2, LE)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            var s3 = ((FloatVector) q3.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(x0, zeroPoint);
            s3 = ((FloatVector) q3.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(x1, s3);
            acc3 = s3.fma(FloatVector.broadcast(F, Float.float16ToFloat(w.get(Dequantize.I16, p3))), acc3);
        }
        out[i0] = acc0.reduceLanes(VectorOperators.ADD);
        out[i0 + iStride] = acc1.reduceLanes(VectorOperators.ADD);
        out[i0 + 2 * iStride] = acc2.reduceLanes(VectorOperators.ADD);
        out[i0 + 3 * iStride] = acc3.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Four Q4_K rows at once. Per 256-value block {@link #q4KCoefficients} unpacks the four rows'
     * scales and mins into {@code scratch}, outside the loop body that does the arithmetic; the
     * activation's four vectors per 64-value group are loaded once for four rows, and a step takes two
     * groups. Each group's arithmetic is written out as in {@link #q4_0Quad}. Both halves of that
     * choice were measured, one thread: the scales unpacked with scalar code in
     * the loop ran at 14 G weights/s per core, this at 20-23; with the unpacking written into this method
     * as well it ran slightly faster, but C1 then runs out of registers on it and the JIT can be left
     * running C1's slow code for good.
     */
    private static void q4_KQuad(MemorySegment w, long offset0, long stride, float[] x, int xOffset, int n,
                                 float[] blockSums, float[] scratch, float[] out, int i0, int iStride) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        for (int b = 0; b < n / 256; b++) {
            long p0 = offset0 + 144L * b;
            long p1 = p0 + stride;
            long p2 = p1 + stride;
            long p3 = p2 + stride;
            q4KCoefficients(w, p0, stride, blockSums, 8 * b, scratch);
            acc0 = acc0.add(FloatVector.fromArray(F, scratch, K_MINS_AT));
            acc1 = acc1.add(FloatVector.fromArray(F, scratch, K_MINS_AT + 16));
            acc2 = acc2.add(FloatVector.fromArray(F, scratch, K_MINS_AT + 32));
            acc3 = acc3.add(FloatVector.fromArray(F, scratch, K_MINS_AT + 48));
            for (int g = 0; g < 4; g += 2) {
                int xg = xOffset + 256 * b + 64 * g;
                int c = K_SCALES_AT + 8 + 2 * g; // lane 8 + j of a row's vector holds scale j
                // group g: sub-block 2g in the low nibbles, the next one in the high ones
                var xl0 = FloatVector.fromArray(F, x, xg);
                var xl1 = FloatVector.fromArray(F, x, xg + 16);
                var xh0 = FloatVector.fromArray(F, x, xg + 32);
                var xh1 = FloatVector.fromArray(F, x, xg + 48);
                long qs = 16 + 32L * g;
                var a0 = (IntVector) ByteVector.fromMemorySegment(B, w, p0 + qs, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                var b0 = (IntVector) ByteVector.fromMemorySegment(B, w, p0 + qs + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                var low0 = ((FloatVector) a0.and(NIBBLE).convert(VectorOperators.I2F, 0)).mul(xl0);
                low0 = ((FloatVector) b0.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(xl1, low0);
                var top0 = ((FloatVector) a0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(xh0);
                top0 = ((FloatVector) b0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh1, top0);
                acc0 = low0.fma(FloatVector.broadcast(F, scratch[c]), acc0);
                acc0 = top0.fma(FloatVector.broadcast(F, scratch[c + 1]), acc0);
                var a1 = (IntVector) ByteVector.fromMemorySegment(B, w, p1 + qs, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                var b1 = (IntVector) ByteVector.fromMemorySegment(B, w, p1 + qs + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                var low1 = ((FloatVector) a1.and(NIBBLE).convert(VectorOperators.I2F, 0)).mul(xl0);
                low1 = ((FloatVector) b1.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(xl1, low1);
                var top1 = ((FloatVector) a1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(xh0);
                top1 = ((FloatVector) b1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh1, top1);
                acc1 = low1.fma(FloatVector.broadcast(F, scratch[16 + c]), acc1);
                acc1 = top1.fma(FloatVector.broadcast(F, scratch[16 + c + 1]), acc1);
                var a2 = (IntVector) ByteVector.fromMemorySegment(B, w, p2 + qs, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                var b2 = (IntVector) ByteVector.fromMemorySegment(B, w, p2 + qs + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                var low2 = ((FloatVector) a2.and(NIBBLE).convert(VectorOperators.I2F, 0)).mul(xl0);
                low2 = ((FloatVector) b2.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(xl1, low2);
                var top2 = ((FloatVector) a2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(xh0);
                top2 = ((FloatVector) b2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh1, top2);
                acc2 = low2.fma(FloatVector.broadcast(F, scratch[32 + c]), acc2);
                acc2 = top2.fma(FloatVector.broadcast(F, scratch[32 + c + 1]), acc2);
                var a3 = (IntVector) ByteVector.fromMemorySegment(B, w, p3 + qs, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                var b3 = (IntVector) ByteVector.fromMemorySegment(B, w, p3 + qs + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                var low3 = ((FloatVector) a3.and(NIBBLE).convert(VectorOperators.I2F, 0)).mul(xl0);
                low3 = ((FloatVector) b3.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(xl1, low3);
                var top3 = ((FloatVector) a3.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(xh0);
                top3 = ((FloatVector) b3.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh1, top3);
                acc3 = low3.fma(FloatVector.broadcast(F, scratch[48 + c]), acc3);
                acc3 = top3.fma(FloatVector.broadcast(F, scratch[48 + c + 1]), acc3);
                // group g + 1: sub-block 2g + 2 in the low nibbles, the next one in the high ones
                xl0 = FloatVector.fromArray(F, x, xg + 64);
                xl1 = FloatVector.fromArray(F, x, xg + 64 + 16);
                xh0 = FloatVector.fromArray(F, x, xg + 64 + 32);
                xh1 = FloatVector.fromArray(F, x, xg + 64 + 48);
                qs = qs + 32;
                a0 = (IntVector) ByteVector.fromMemorySegment(B, w, p0 + qs, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                b0 = (IntVector) ByteVector.fromMemorySegment(B, w, p0 + qs + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                low0 = ((FloatVector) a0.and(NIBBLE).convert(VectorOperators.I2F, 0)).mul(xl0);
                low0 = ((FloatVector) b0.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(xl1, low0);
                top0 = ((FloatVector) a0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(xh0);
                top0 = ((FloatVector) b0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh1, top0);
                acc0 = low0.fma(FloatVector.broadcast(F, scratch[c + 2]), acc0);
                acc0 = top0.fma(FloatVector.broadcast(F, scratch[c + 3]), acc0);
                a1 = (IntVector) ByteVector.fromMemorySegment(B, w, p1 + qs, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                b1 = (IntVector) ByteVector.fromMemorySegment(B, w, p1 + qs + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                low1 = ((FloatVector) a1.and(NIBBLE).convert(VectorOperators.I2F, 0)).mul(xl0);
                low1 = ((FloatVector) b1.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(xl1, low1);
                top1 = ((FloatVector) a1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(xh0);
                top1 = ((FloatVector) b1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh1, top1);
                acc1 = low1.fma(FloatVector.broadcast(F, scratch[16 + c + 2]), acc1);
                acc1 = top1.fma(FloatVector.broadcast(F, scratch[16 + c + 3]), acc1);
                a2 = (IntVector) ByteVector.fromMemorySegment(B, w, p2 + qs, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                b2 = (IntVector) ByteVector.fromMemorySegment(B, w, p2 + qs + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                low2 = ((FloatVector) a2.and(NIBBLE).convert(VectorOperators.I2F, 0)).mul(xl0);
                low2 = ((FloatVector) b2.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(xl1, low2);
                top2 = ((FloatVector) a2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(xh0);
                top2 = ((FloatVector) b2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh1, top2);
                acc2 = low2.fma(FloatVector.broadcast(F, scratch[32 + c + 2]), acc2);
                acc2 = top2.fma(FloatVector.broadcast(F, scratch[32 + c + 3]), acc2);
                a3 = (IntVector) ByteVector.fromMemorySegment(B, w, p3 + qs, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                b3 = (IntVector) ByteVector.fromMemorySegment(B, w, p3 + qs + 16, LE)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
                low3 = ((FloatVector) a3.and(NIBBLE).convert(VectorOperators.I2F, 0)).mul(xl0);
                low3 = ((FloatVector) b3.and(NIBBLE).convert(VectorOperators.I2F, 0)).fma(xl1, low3);
                top3 = ((FloatVector) a3.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(xh0);
                top3 = ((FloatVector) b3.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(xh1, top3);
                acc3 = low3.fma(FloatVector.broadcast(F, scratch[48 + c + 2]), acc3);
                acc3 = top3.fma(FloatVector.broadcast(F, scratch[48 + c + 3]), acc3);
            }
        }
        out[i0] = acc0.reduceLanes(VectorOperators.ADD);
        out[i0 + iStride] = acc1.reduceLanes(VectorOperators.ADD);
        out[i0 + 2 * iStride] = acc2.reduceLanes(VectorOperators.ADD);
        out[i0 + 3 * iStride] = acc3.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Floats left unused at each end of the scratch: without them the cache line at either end can
     * hold another thread's data (the garbage collector packs arrays side by side), and Q4_K decode
     * ran at 6-9 tokens/s instead of 16-23 in 4 of 10 JVM runs.
     */
    private static final int SCRATCH_GUARD = 16;
    /** Where {@link #q4KCoefficients} puts row r's scales (16 floats at K_SCALES_AT + 16r, lanes 8-15 used) and mins (16 at K_MINS_AT + 16r). */
    private static final int K_SCALES_AT = SCRATCH_GUARD;
    private static final int K_MINS_AT = SCRATCH_GUARD + 64;
    /** Floats of per-thread scratch that {@link #dot4} needs (Q4_K's unpacked scales and mins, and the guards). */
    public static final int DOT4_SCRATCH = K_MINS_AT + 64 + SCRATCH_GUARD;

    // Q4_K's eight 6-bit scales and eight 6-bit mins (get_scale_min_k4) unpacked in one vector of 16
    // ints from the 12 packed bytes q[0..11]: lanes 0-7 the mins, 8-15 the scales. Lane value =
    // ((q[LOW_SOURCE] >>> LOW_SHIFT) & LOW_MASK) | ((q[HIGH_SOURCE] >>> 2) & HIGH_MASK), i.e.
    // min j < 4: q[j+4] & 63; min j >= 4: (q[j+4] >> 4) | (q[j] >> 6) << 4;
    // scale j < 4: q[j] & 63; scale j >= 4: (q[j+4] & 15) | (q[j-4] >> 6) << 4. Only for 16 int lanes.
    private static final VectorShuffle<Integer> K_LOW_SOURCE = L != 16 ? null
            : VectorShuffle.fromValues(I, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11);
    private static final VectorShuffle<Integer> K_HIGH_SOURCE = L != 16 ? null
            : VectorShuffle.fromValues(I, 0, 0, 0, 0, 4, 5, 6, 7, 0, 0, 0, 0, 0, 1, 2, 3);
    private static final IntVector K_LOW_SHIFT = L != 16 ? null
            : IntVector.fromArray(I, new int[] {0, 0, 0, 0, 4, 4, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0}, 0);
    private static final IntVector K_LOW_MASK = L != 16 ? null
            : IntVector.fromArray(I, new int[] {63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15}, 0);
    private static final IntVector K_HIGH_MASK = L != 16 ? null
            : IntVector.fromArray(I, new int[] {0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30, 0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30}, 0);

    /**
     * For the Q4_K blocks at p0 + r·stride (r &lt; 4), whose activation sub-block sums start at
     * blockSums[sub]: scratch[K_SCALES_AT + 16r + 8 + j] = d·scale_j, and scratch[K_MINS_AT + 16r ..] a vector whose lanes
     * sum to -dmin·Σ_j min_j·blockSums[sub + j] (the mins' share of the row's dot product).
     */
    private static void q4KCoefficients(MemorySegment w, long p0, long stride, float[] blockSums, int sub, float[] scratch) {
        // The four rows written out, not looped over: a loop over rows here costs C2 a loop nest of
        // bounds checks per block (measured: about 8 % of Q4_K decode from DRAM).
        // lanes 0-7 the block's eight sub-block sums, 8-15 zero (a wider reinterpretation zero-fills;
        // a masked 16-lane load would leave the array's bounds at the last block)
        var sums = (FloatVector) FloatVector.fromArray(FloatVector.SPECIES_256, blockSums, sub).reinterpretShape(F, 0);
        var q0 = (IntVector) ByteVector.fromMemorySegment(B, w, p0 + 4, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        var k0 = (FloatVector) q0.rearrange(K_LOW_SOURCE).lanewise(VectorOperators.LSHR, K_LOW_SHIFT).and(K_LOW_MASK)
                .or(q0.rearrange(K_HIGH_SOURCE).lanewise(VectorOperators.LSHR, 2).and(K_HIGH_MASK))
                .convert(VectorOperators.I2F, 0);
        k0.mul(FloatVector.broadcast(F, Float.float16ToFloat(w.get(Dequantize.I16, p0)))).intoArray(scratch, K_SCALES_AT);
        k0.mul(sums).mul(FloatVector.broadcast(F, -Float.float16ToFloat(w.get(Dequantize.I16, p0 + 2))))
                .intoArray(scratch, K_MINS_AT);
        long p1 = p0 + stride;
        var q1 = (IntVector) ByteVector.fromMemorySegment(B, w, p1 + 4, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        var k1 = (FloatVector) q1.rearrange(K_LOW_SOURCE).lanewise(VectorOperators.LSHR, K_LOW_SHIFT).and(K_LOW_MASK)
                .or(q1.rearrange(K_HIGH_SOURCE).lanewise(VectorOperators.LSHR, 2).and(K_HIGH_MASK))
                .convert(VectorOperators.I2F, 0);
        k1.mul(FloatVector.broadcast(F, Float.float16ToFloat(w.get(Dequantize.I16, p1)))).intoArray(scratch, K_SCALES_AT + 16);
        k1.mul(sums).mul(FloatVector.broadcast(F, -Float.float16ToFloat(w.get(Dequantize.I16, p1 + 2))))
                .intoArray(scratch, K_MINS_AT + 16);
        long p2 = p1 + stride;
        var q2 = (IntVector) ByteVector.fromMemorySegment(B, w, p2 + 4, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        var k2 = (FloatVector) q2.rearrange(K_LOW_SOURCE).lanewise(VectorOperators.LSHR, K_LOW_SHIFT).and(K_LOW_MASK)
                .or(q2.rearrange(K_HIGH_SOURCE).lanewise(VectorOperators.LSHR, 2).and(K_HIGH_MASK))
                .convert(VectorOperators.I2F, 0);
        k2.mul(FloatVector.broadcast(F, Float.float16ToFloat(w.get(Dequantize.I16, p2)))).intoArray(scratch, K_SCALES_AT + 32);
        k2.mul(sums).mul(FloatVector.broadcast(F, -Float.float16ToFloat(w.get(Dequantize.I16, p2 + 2))))
                .intoArray(scratch, K_MINS_AT + 32);
        long p3 = p2 + stride;
        var q3 = (IntVector) ByteVector.fromMemorySegment(B, w, p3 + 4, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        var k3 = (FloatVector) q3.rearrange(K_LOW_SOURCE).lanewise(VectorOperators.LSHR, K_LOW_SHIFT).and(K_LOW_MASK)
                .or(q3.rearrange(K_HIGH_SOURCE).lanewise(VectorOperators.LSHR, 2).and(K_HIGH_MASK))
                .convert(VectorOperators.I2F, 0);
        k3.mul(FloatVector.broadcast(F, Float.float16ToFloat(w.get(Dequantize.I16, p3)))).intoArray(scratch, K_SCALES_AT + 48);
        k3.mul(sums).mul(FloatVector.broadcast(F, -Float.float16ToFloat(w.get(Dequantize.I16, p3 + 2))))
                .intoArray(scratch, K_MINS_AT + 48);
    }

    /**
     * Four of a Q4_K block's eight 6-bit scales or mins, one per byte (get_scale_min_k4 for four
     * sub-blocks at once): sub-blocks 0-3 ({@code upper} false) are the low six bits of {@code word}'s
     * bytes; 4-7 take their low four bits from {@code nibbles}' bytes and their top two from
     * {@code word}'s. Scales: word = block bytes 4-7, nibbles = bytes 12-15; mins: word = bytes 8-11,
     * nibbles = bytes 12-15 shifted right by 4.
     */
    static int q4KSixBits(int word, int nibbles, boolean upper) {
        return upper ? (nibbles & 0x0f0f0f0f) | ((word >>> 2) & 0x30303030) : word & 0x3f3f3f3f;
    }

    /** Σ_j m_j · sums[sub + j] over a Q4_K block's eight 6-bit mins (bytes 4-15 of the block as a long and an int). */
    private static float q4KMinsTimesSums(long packed, int high, float[] sums, int sub) {
        int mins0123 = q4KSixBits((int) (packed >>> 32), high >>> 4, false);
        int mins4567 = q4KSixBits((int) (packed >>> 32), high >>> 4, true);
        float total = 0f;
        for (int j = 0; j < 4; j++) {
            total += ((mins0123 >>> (8 * j)) & 0xff) * sums[sub + j] + ((mins4567 >>> (8 * j)) & 0xff) * sums[sub + 4 + j];
        }
        return total;
    }

    private static void q8_0Quad(MemorySegment w, long offset0, long stride, float[] x, int xOffset, int n,
                                 float[] out, int i0, int iStride) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        for (int b = 0; b < n / 32; b++) {
            int xb = xOffset + 32 * b;
            long p0 = offset0 + 34L * b;
            long p1 = p0 + stride;
            long p2 = p1 + stride;
            long p3 = p2 + stride;
            var x0 = FloatVector.fromArray(F, x, xb);
            var x1 = FloatVector.fromArray(F, x, xb + 16);
            var s0 = bytesToFloats(ByteVector.fromMemorySegment(B, w, p0 + 2, LE)).mul(x0);
            var s1 = bytesToFloats(ByteVector.fromMemorySegment(B, w, p1 + 2, LE)).mul(x0);
            var s2 = bytesToFloats(ByteVector.fromMemorySegment(B, w, p2 + 2, LE)).mul(x0);
            var s3 = bytesToFloats(ByteVector.fromMemorySegment(B, w, p3 + 2, LE)).mul(x0);
            s0 = bytesToFloats(ByteVector.fromMemorySegment(B, w, p0 + 18, LE)).fma(x1, s0);
            s1 = bytesToFloats(ByteVector.fromMemorySegment(B, w, p1 + 18, LE)).fma(x1, s1);
            s2 = bytesToFloats(ByteVector.fromMemorySegment(B, w, p2 + 18, LE)).fma(x1, s2);
            s3 = bytesToFloats(ByteVector.fromMemorySegment(B, w, p3 + 18, LE)).fma(x1, s3);
            acc0 = s0.fma(FloatVector.broadcast(F, Dequantize.f16(w, p0)), acc0);
            acc1 = s1.fma(FloatVector.broadcast(F, Dequantize.f16(w, p1)), acc1);
            acc2 = s2.fma(FloatVector.broadcast(F, Dequantize.f16(w, p2)), acc2);
            acc3 = s3.fma(FloatVector.broadcast(F, Dequantize.f16(w, p3)), acc3);
        }
        out[i0] = acc0.reduceLanes(VectorOperators.ADD);
        out[i0 + iStride] = acc1.reduceLanes(VectorOperators.ADD);
        out[i0 + 2 * iStride] = acc2.reduceLanes(VectorOperators.ADD);
        out[i0 + 3 * iStride] = acc3.reduceLanes(VectorOperators.ADD);
    }

    /**
     * One row of n FP8 E4M3 values at byte {@code offset} times x[xOffset..]: Σ_j scales[scaleOffset + j] ·
     * Σ_{c in column block j} fp8[c]·x[xOffset + c], blocks of {@code columnBlock} columns from column 0, the
     * last one possibly partial; scaleOffset is the index of the row's first scale
     * ({@link ai.appliance.runtime.tensor.BlockScales#rowOffset}).
     *
     * <p>A byte becomes a float without a table: sign-extended to an int, shifted left by 20 and masked
     * ({@link #FP8_SIGN_EXPONENT_MANTISSA}), its sign, exponent and mantissa are a float's, whose value
     * is the FP8 value times 2^-120 exactly, subnormals included; one multiply by 2^120 per vector
     * restores it (Fp8KernelsTest checks all 256 bytes). The 2^120 is not folded into the block scale:
     * the products would then be 2^120 too small, subnormal floats for most weights times activations
     * below one, which Intel cores compute through a slow microcode assist (no cost measured on the
     * Zen 5 VM). Scaling the activation by 2^120 instead, as {@link #dot4HalvesScaled} does for F16,
     * would save the multiply where |x| &lt; 2^8. The NaN bytes 0x7F and 0xFF, which a checkpoint does
     * not hold, decode as ±480 here.
     */
    public static float dotFp8(MemorySegment w, long offset, float[] x, int xOffset, int n,
                               float[] scales, int scaleOffset, int columnBlock) {
        if (!ENABLED) return ScalarDot.dotFp8(w, offset, x, xOffset, n, scales, scaleOffset, columnBlock);
        var acc = FloatVector.zero(F);
        float rest = 0f;
        for (int start = 0, j = scaleOffset; start < n; start += columnBlock, j++) {
            int end = (int) Math.min(n, (long) start + columnBlock);
            // Two partial sums: with one, the FMA latency chain bounds the loop.
            var s0 = FloatVector.zero(F);
            var s1 = FloatVector.zero(F);
            int c = start;
            for (; c + 2 * L <= end; c += 2 * L) {
                long p = offset + c;
                s0 = ((IntVector) ByteVector.fromMemorySegment(B, w, p, LE).convertShape(VectorOperators.B2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 20).and(FP8_FLOAT_BITS).reinterpretAsFloats().mul(FP8_REBASE_VECTOR)
                        .fma(FloatVector.fromArray(F, x, xOffset + c), s0);
                s1 = ((IntVector) ByteVector.fromMemorySegment(B, w, p + L, LE).convertShape(VectorOperators.B2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 20).and(FP8_FLOAT_BITS).reinterpretAsFloats().mul(FP8_REBASE_VECTOR)
                        .fma(FloatVector.fromArray(F, x, xOffset + c + L), s1);
            }
            if (c + L <= end) {
                s0 = ((IntVector) ByteVector.fromMemorySegment(B, w, offset + c, LE).convertShape(VectorOperators.B2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 20).and(FP8_FLOAT_BITS).reinterpretAsFloats().mul(FP8_REBASE_VECTOR)
                        .fma(FloatVector.fromArray(F, x, xOffset + c), s0);
                c += L;
            }
            float scale = scales[j];
            acc = s0.add(s1).fma(FloatVector.broadcast(F, scale), acc);
            if (c < end) rest += scale * fp8Tail(w, offset, x, xOffset, c, end);
        }
        return acc.reduceLanes(VectorOperators.ADD) + rest;
    }

    /**
     * {@link #dotFp8} of four rows at once, rows {@code stride} bytes apart read as four interleaved
     * streams (as {@link #q8_0Quad}): out[i0 + k·iStride] = row at offset0 + k·stride · x, its scales from
     * index scale_k. The four scale offsets are separate because rows a quarter of a chunk apart need
     * not share a block row.
     */
    public static void dot4Fp8(MemorySegment w, long offset0, long stride, float[] x, int xOffset, int n,
                               float[] scales, int scale0, int scale1, int scale2, int scale3, int columnBlock,
                               float[] out, int i0, int iStride) {
        if (!ENABLED) {
            out[i0] = ScalarDot.dotFp8(w, offset0, x, xOffset, n, scales, scale0, columnBlock);
            out[i0 + iStride] = ScalarDot.dotFp8(w, offset0 + stride, x, xOffset, n, scales, scale1, columnBlock);
            out[i0 + 2 * iStride] = ScalarDot.dotFp8(w, offset0 + 2 * stride, x, xOffset, n, scales, scale2, columnBlock);
            out[i0 + 3 * iStride] = ScalarDot.dotFp8(w, offset0 + 3 * stride, x, xOffset, n, scales, scale3, columnBlock);
            return;
        }
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        float rest0 = 0f;
        float rest1 = 0f;
        float rest2 = 0f;
        float rest3 = 0f;
        for (int start = 0, j = 0; start < n; start += columnBlock, j++) {
            int end = (int) Math.min(n, (long) start + columnBlock);
            var s0 = FloatVector.zero(F);
            var s1 = FloatVector.zero(F);
            var s2 = FloatVector.zero(F);
            var s3 = FloatVector.zero(F);
            int c = start;
            // Written out, not through a helper: see q4_0Quad on C2's inlining budget.
            for (; c + L <= end; c += L) {
                var v = FloatVector.fromArray(F, x, xOffset + c);
                long p = offset0 + c;
                s0 = ((IntVector) ByteVector.fromMemorySegment(B, w, p, LE).convertShape(VectorOperators.B2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 20).and(FP8_FLOAT_BITS).reinterpretAsFloats().mul(FP8_REBASE_VECTOR)
                        .fma(v, s0);
                s1 = ((IntVector) ByteVector.fromMemorySegment(B, w, p + stride, LE).convertShape(VectorOperators.B2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 20).and(FP8_FLOAT_BITS).reinterpretAsFloats().mul(FP8_REBASE_VECTOR)
                        .fma(v, s1);
                s2 = ((IntVector) ByteVector.fromMemorySegment(B, w, p + 2 * stride, LE).convertShape(VectorOperators.B2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 20).and(FP8_FLOAT_BITS).reinterpretAsFloats().mul(FP8_REBASE_VECTOR)
                        .fma(v, s2);
                s3 = ((IntVector) ByteVector.fromMemorySegment(B, w, p + 3 * stride, LE).convertShape(VectorOperators.B2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 20).and(FP8_FLOAT_BITS).reinterpretAsFloats().mul(FP8_REBASE_VECTOR)
                        .fma(v, s3);
            }
            float k0 = scales[scale0 + j];
            float k1 = scales[scale1 + j];
            float k2 = scales[scale2 + j];
            float k3 = scales[scale3 + j];
            acc0 = s0.fma(FloatVector.broadcast(F, k0), acc0);
            acc1 = s1.fma(FloatVector.broadcast(F, k1), acc1);
            acc2 = s2.fma(FloatVector.broadcast(F, k2), acc2);
            acc3 = s3.fma(FloatVector.broadcast(F, k3), acc3);
            if (c < end) {
                rest0 += k0 * fp8Tail(w, offset0, x, xOffset, c, end);
                rest1 += k1 * fp8Tail(w, offset0 + stride, x, xOffset, c, end);
                rest2 += k2 * fp8Tail(w, offset0 + 2 * stride, x, xOffset, c, end);
                rest3 += k3 * fp8Tail(w, offset0 + 3 * stride, x, xOffset, c, end);
            }
        }
        out[i0] = acc0.reduceLanes(VectorOperators.ADD) + rest0;
        out[i0 + iStride] = acc1.reduceLanes(VectorOperators.ADD) + rest1;
        out[i0 + 2 * iStride] = acc2.reduceLanes(VectorOperators.ADD) + rest2;
        out[i0 + 3 * iStride] = acc3.reduceLanes(VectorOperators.ADD) + rest3;
    }

    /** Σ fp8[c]·x[xOffset + c] for c in [from, to) of the FP8 row at byte offset, in scalar code (a block's remainder). */
    private static float fp8Tail(MemorySegment w, long offset, float[] x, int xOffset, int from, int to) {
        float sum = 0f;
        for (int c = from; c < to; c++) sum += fp8Value(w.get(ValueLayout.JAVA_BYTE, offset + c)) * x[xOffset + c];
        return sum;
    }

    /** An FP8 E4M3 byte's value by the vector kernels' bit placement (NaN bytes give ±480, see {@link #dotFp8}). */
    static float fp8Value(byte b) {
        return Float.intBitsToFloat((b << 20) & FP8_SIGN_EXPONENT_MANTISSA) * FP8_REBASE;
    }

    /** Sum over i < n of a[aOffset + i] * b[bOffset + i]. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        int i = 0;
        float sum = 0f;
        if (ENABLED) {
            var acc0 = FloatVector.zero(F);
            var acc1 = FloatVector.zero(F);
            int upper2 = n - n % (2 * L);
            for (; i < upper2; i += 2 * L) {
                acc0 = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc0);
                acc1 = FloatVector.fromArray(F, a, aOffset + i + L).fma(FloatVector.fromArray(F, b, bOffset + i + L), acc1);
            }
            for (; i + L <= n; i += L) {
                acc0 = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc0);
            }
            sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) sum += a[aOffset + i] * b[bOffset + i];
        return sum;
    }

    /** y[yOffset + i] += a * x[xOffset + i] for i < n. */
    public static void axpy(float a, float[] x, int xOffset, float[] y, int yOffset, int n) {
        int i = 0;
        if (ENABLED) {
            var va = FloatVector.broadcast(F, a);
            for (; i + L <= n; i += L) {
                FloatVector.fromArray(F, x, xOffset + i).fma(va, FloatVector.fromArray(F, y, yOffset + i))
                        .intoArray(y, yOffset + i);
            }
        }
        for (; i < n; i++) y[yOffset + i] += a * x[xOffset + i];
    }

    private static float f32(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        int i = 0;
        int upper2 = n - n % (2 * L);
        for (; i < upper2; i += 2 * L) {
            acc0 = FloatVector.fromMemorySegment(F, w, offset + 4L * i, LE)
                    .fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, w, offset + 4L * (i + L), LE)
                    .fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
        }
        for (; i + L <= n; i += L) {
            acc0 = FloatVector.fromMemorySegment(F, w, offset + 4L * i, LE)
                    .fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += w.get(Dequantize.F32, offset + 4L * i) * x[xOffset + i];
        return sum;
    }

    /**
     * Decodes L halves (finite ones; F16 weights hold no infinities or NaNs). Sign-extended to int and
     * shifted left by 13, a half's exponent and mantissa land in a float's, its sign in the float's
     * sign bit, and three more copies of the sign in the top exponent bits, which the mask clears.
     * Multiplying by 2^112 then rebases the exponent (15 to 127) exactly, subnormals included. Four
     * vector operations per L halves; masking sign and magnitude apart took seven and was slower in
     * {@code MatVecBenchmark -p type=F16}.
     */
    static FloatVector halfs(MemorySegment w, long offset) {
        return halvesTimesTwoToMinus112(w, offset).mul(TWO_POW_112);
    }

    /** L halves times 2^-112, exactly (subnormal floats included): {@link #halfs} without its last multiply. */
    private static FloatVector halvesTimesTwoToMinus112(MemorySegment w, long offset) {
        var bits = (IntVector) ShortVector.fromMemorySegment(S, w, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        return bits.lanewise(VectorOperators.LSHL, 13).and(HALF_SIGN_EXPONENT_MANTISSA).reinterpretAsFloats();
    }

    /** Activations below this size stay finite, and every product with a half exact, when scaled by 2^112. */
    private static final float HALF_SCALED_LIMIT = 0x1p14f;

    /**
     * x[0..n) times 2^112 into {@code scaled}, for {@link #dot4HalvesScaled}; false (nothing usable
     * written) where that kernel does not apply: no vector path, n not a multiple of the vector length,
     * or some |x| of 2^14 or more (the scaled value could overflow). Computed once per matrix product.
     */
    public static boolean scaleForHalves(float[] x, int n, float[] scaled) {
        if (!readsFourRowsAtOnce(GgmlType.F16) || n % L != 0) return false;
        var limit = FloatVector.broadcast(F, HALF_SCALED_LIMIT);
        for (int i = 0; i < n; i += L) {
            var v = FloatVector.fromArray(F, x, i);
            if (v.abs().compare(VectorOperators.GE, limit).anyTrue()
                    || v.test(VectorOperators.IS_NAN).anyTrue()) return false;
            v.mul(TWO_POW_112).intoArray(scaled, i);
        }
        return true;
    }

    /**
     * As {@link #dot4} for F16 rows, with x from {@link #scaleForHalves}: w·x = (w·2^-112)·(x·2^112),
     * both factors exact, so the products and sums are bit for bit those of {@link #dot4}, while each
     * vector of halves costs one multiply less (the 2^112 rebase moves to the activation, once per
     * matrix product instead of once per row). Two vectors of each row per step, a whole cache line of
     * each stream, written out rather than through {@link #halvesTimesTwoToMinus112} (see
     * {@link #q4_0Quad} on C2's inlining budget): decode 10-20 % faster than one vector per step.
     */
    public static void dot4HalvesScaled(MemorySegment w, long offset0, long stride, float[] scaledX, int n,
                                        float[] out, int i0, int iStride) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        var acc2 = FloatVector.zero(F);
        var acc3 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            var v = FloatVector.fromArray(F, scaledX, i);
            var u = FloatVector.fromArray(F, scaledX, i + L);
            long p = offset0 + 2L * i;
            long q = p + 2L * L;
            acc0 = ((IntVector) ShortVector.fromMemorySegment(S, w, p, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(v, acc0);
            acc1 = ((IntVector) ShortVector.fromMemorySegment(S, w, p + stride, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(v, acc1);
            acc2 = ((IntVector) ShortVector.fromMemorySegment(S, w, p + 2 * stride, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(v, acc2);
            acc3 = ((IntVector) ShortVector.fromMemorySegment(S, w, p + 3 * stride, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(v, acc3);
            acc0 = ((IntVector) ShortVector.fromMemorySegment(S, w, q, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(u, acc0);
            acc1 = ((IntVector) ShortVector.fromMemorySegment(S, w, q + stride, LE).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(u, acc1);
            acc2 = ((IntVector) ShortVector.fromMemorySegment(S, w, q + 2 * stride, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(u, acc2);
            acc3 = ((IntVector) ShortVector.fromMemorySegment(S, w, q + 3 * stride, LE)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 13).and(HALF_SIGN_EXPONENT_MANTISSA).reinterpretAsFloats().fma(u, acc3);
        }
        for (; i < n; i += L) {
            var v = FloatVector.fromArray(F, scaledX, i);
            long p = offset0 + 2L * i;
            acc0 = halvesTimesTwoToMinus112(w, p).fma(v, acc0);
            acc1 = halvesTimesTwoToMinus112(w, p + stride).fma(v, acc1);
            acc2 = halvesTimesTwoToMinus112(w, p + 2 * stride).fma(v, acc2);
            acc3 = halvesTimesTwoToMinus112(w, p + 3 * stride).fma(v, acc3);
        }
        out[i0] = acc0.reduceLanes(VectorOperators.ADD);
        out[i0 + iStride] = acc1.reduceLanes(VectorOperators.ADD);
        out[i0 + 2 * iStride] = acc2.reduceLanes(VectorOperators.ADD);
        out[i0 + 3 * iStride] = acc3.reduceLanes(VectorOperators.ADD);
    }

    private static float f16(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        // Two accumulators: with one, the FMA latency chain bounds the loop below the memory rate.
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            acc0 = halfs(w, offset + 2L * i).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
            acc1 = halfs(w, offset + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
        }
        for (; i + L <= n; i += L) acc0 = halfs(w, offset + 2L * i).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += Float.float16ToFloat(w.get(Dequantize.I16, offset + 2L * i)) * x[xOffset + i];
        return sum;
    }

    private static float bf16(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        int i = 0;
        for (; i + 2 * L <= n; i += 2 * L) {
            acc0 = bfloats(w, offset + 2L * i).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
            acc1 = bfloats(w, offset + 2L * (i + L)).fma(FloatVector.fromArray(F, x, xOffset + i + L), acc1);
        }
        for (; i + L <= n; i += L) acc0 = bfloats(w, offset + 2L * i).fma(FloatVector.fromArray(F, x, xOffset + i), acc0);
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += Dequantize.bf16(w.get(Dequantize.I16, offset + 2L * i)) * x[xOffset + i];
        return sum;
    }

    /** Decodes L bfloat16 values: the top half of a float's bits. */
    static FloatVector bfloats(MemorySegment w, long offset) {
        var bits = (IntVector) ShortVector.fromMemorySegment(S, w, offset, LE).convertShape(VectorOperators.S2I, I, 0);
        return bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    /** L bytes at offset, sign-extended to int lanes (bit operations on int lanes are native; on byte lanes they are not). */
    static IntVector bytesToInts(MemorySegment w, long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, offset, LE).convertShape(VectorOperators.B2I, I, 0);
    }

    static FloatVector toFloats(IntVector v) {
        return (FloatVector) v.convert(VectorOperators.I2F, 0);
    }

    static FloatVector bytesToFloats(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    private static float q8_0(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        if (L != 16) return q8_0Generic(w, offset, x, xOffset, n);
        // Two blocks per iteration into two accumulators: the scale FMA chain is the loop's latency bound.
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        int blocks = n / 32;
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            long base = offset + 34L * b;
            int xb = xOffset + 32 * b;
            var s0 = bytesToFloats(ByteVector.fromMemorySegment(B, w, base + 2, LE)).mul(FloatVector.fromArray(F, x, xb));
            var s1 = bytesToFloats(ByteVector.fromMemorySegment(B, w, base + 36, LE)).mul(FloatVector.fromArray(F, x, xb + 32));
            s0 = bytesToFloats(ByteVector.fromMemorySegment(B, w, base + 18, LE))
                    .fma(FloatVector.fromArray(F, x, xb + 16), s0);
            s1 = bytesToFloats(ByteVector.fromMemorySegment(B, w, base + 52, LE))
                    .fma(FloatVector.fromArray(F, x, xb + 48), s1);
            acc0 = s0.fma(FloatVector.broadcast(F, Dequantize.f16(w, base)), acc0);
            acc1 = s1.fma(FloatVector.broadcast(F, Dequantize.f16(w, base + 34)), acc1);
        }
        if (b < blocks) {
            long base = offset + 34L * b;
            int xb = xOffset + 32 * b;
            var s0 = bytesToFloats(ByteVector.fromMemorySegment(B, w, base + 2, LE)).mul(FloatVector.fromArray(F, x, xb));
            s0 = bytesToFloats(ByteVector.fromMemorySegment(B, w, base + 18, LE))
                    .fma(FloatVector.fromArray(F, x, xb + 16), s0);
            acc0 = s0.fma(FloatVector.broadcast(F, Dequantize.f16(w, base)), acc0);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    private static float q8_0Generic(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        var acc = FloatVector.zero(F);
        for (int b = 0; b < n / 32; b++) {
            long base = offset + 34L * b;
            int xb = xOffset + 32 * b;
            var sum = FloatVector.zero(F);
            for (int j = 0; j < 32; j += L) {
                var q = bytesToFloats(ByteVector.fromMemorySegment(B, w, base + 2 + j, LE));
                sum = q.fma(FloatVector.fromArray(F, x, xb + j), sum);
            }
            acc = sum.fma(FloatVector.broadcast(F, Dequantize.f16(w, base)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** L bytes at offset, zero-extended to int lanes (nibbles then need one mask or one shift each). */
    static IntVector unsignedBytesToInts(MemorySegment w, long offset) {
        return (IntVector) ByteVector.fromMemorySegment(B, w, offset, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
    }

    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    private static float q4_0(MemorySegment w, long offset, float[] x, int xOffset, int n, float[] blockSums) {
        // Σ d(q-8)x = d(Σqx - 8Σx): the nibbles multiply x as they are, the zero point multiplies the
        // precomputed block sum in scalar code, off the vector units.
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        float zeroPoint = 0f;
        for (int b = 0; b < n / 32; b++) {
            long base = offset + 18L * b;
            int xb = xOffset + 32 * b;
            var dot = FloatVector.zero(F);
            for (int j = 0; j < 16; j += L) {
                var q = unsignedBytesToInts(w, base + 2 + j);
                dot = toFloats(q.and(NIBBLE)).fma(FloatVector.fromArray(F, x, xb + j), dot);
                dot = toFloats(q.lanewise(VectorOperators.LSHR, 4)).fma(FloatVector.fromArray(F, x, xb + 16 + j), dot);
            }
            float d = Dequantize.f16(w, base);
            zeroPoint += d * blockSums[b];
            if ((b & 1) == 0) acc0 = dot.fma(FloatVector.broadcast(F, d), acc0);
            else acc1 = dot.fma(FloatVector.broadcast(F, d), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) - 8f * zeroPoint;
    }

    /**
     * The 6-bit scale ({@code min == false}) or min of sub-block j from a Q4_K block's 12 scale
     * bytes read as one little-endian long (bytes 0-7) and int (bytes 8-11): get_scale_min_k4 on registers.
     */
    static int q4KScaleOrMin(long low, int high, int j, boolean min) {
        int four = min ? q4KSixBits((int) (low >>> 32), high >>> 4, j >= 4) : q4KSixBits((int) low, high, j >= 4);
        return (four >>> (8 * (j & 3))) & 0xff;
    }

    private static float q4_K(MemorySegment w, long offset, float[] x, int xOffset, int n, float[] blockSums) {
        // y = d·sc·q - dmin·m per 32-value sub-block: the mins multiply the precomputed sub-block sums of x
        // in scalar code; two independent accumulators for the scaled nibble dots. (Writing the four
        // groups out through a helper returning a vector measured 2.5x slower: C2 stopped inlining it.)
        var dotLow = FloatVector.zero(F);
        var dotHigh = FloatVector.zero(F);
        float mins = 0f;
        for (int b = 0; b < n / 256; b++) {
            long base = offset + 144L * b;
            float d = Dequantize.f16(w, base);
            float dmin = Dequantize.f16(w, base + 2);
            // The eight 6-bit scales (and mins, q4KMinsTimesSums) as ints of four bytes each:
            // get_scale_min_k4 for all sub-blocks at once, a few word operations instead of a dozen per
            // value (JMH MatVecBenchmark Q4_K 1536x1536 on the Zen 5 VM: 3461 -> 4102 ops/s).
            long packed = w.get(I64, base + 4);
            int high = w.get(I32, base + 12);
            int scales0123 = q4KSixBits((int) packed, high, false);
            int scales4567 = q4KSixBits((int) packed, high, true);
            mins += dmin * q4KMinsTimesSums(packed, high, blockSums, 8 * b);
            long qs = base + 16;
            for (int group = 0; group < 4; group++) {
                int xg = xOffset + 256 * b + 64 * group;
                var lowDot = FloatVector.zero(F);
                var highDot = FloatVector.zero(F);
                for (int l = 0; l < 32; l += L) {
                    var q = unsignedBytesToInts(w, qs + 32L * group + l);
                    lowDot = toFloats(q.and(NIBBLE)).fma(FloatVector.fromArray(F, x, xg + l), lowDot);
                    highDot = toFloats(q.lanewise(VectorOperators.LSHR, 4))
                            .fma(FloatVector.fromArray(F, x, xg + 32 + l), highDot);
                }
                int shift = 16 * (group & 1);
                int scalePair = (group < 2 ? scales0123 : scales4567) >>> shift;
                dotLow = lowDot.fma(FloatVector.broadcast(F, d * (scalePair & 0xff)), dotLow);
                dotHigh = highDot.fma(FloatVector.broadcast(F, d * ((scalePair >>> 8) & 0xff)), dotHigh);
            }
        }
        return dotLow.add(dotHigh).reduceLanes(VectorOperators.ADD) - mins;
    }

    /**
     * The four 6-bit quarters of Q6_K sub-block offset l (8 or 16 values each), as ints in [-32, 31]:
     * quarter p takes its low 4 bits from ql[l + 32(p&1)] (low nibble for p &lt; 2, high nibble after)
     * and its top 2 bits from qh[l] bits 2p..2p+1. Bytes are zero-extended, so a high nibble is one
     * shift and each quarter's top bits one mask and at most one shift (1.9 -> 3.2 G weights/s per
     * core on the Zen 3 VM against shifting sign-extended bytes and masking).
     */
    static IntVector q6KQuarter(IntVector low, IntVector high, int p) {
        return switch (p) {
            case 0 -> low.and(NIBBLE).or(high.and(Q6_HIGH_0).lanewise(VectorOperators.LSHL, 4)).sub(Q6_OFFSET);
            case 1 -> low.and(NIBBLE).or(high.and(Q6_HIGH_1).lanewise(VectorOperators.LSHL, 2)).sub(Q6_OFFSET);
            case 2 -> low.lanewise(VectorOperators.LSHR, 4).or(high.and(Q6_HIGH_2)).sub(Q6_OFFSET);
            default -> low.lanewise(VectorOperators.LSHR, 4).or(high.and(Q6_HIGH_3)
                    .lanewise(VectorOperators.LSHR, 2)).sub(Q6_OFFSET);
        };
    }

    private static float q6_K(MemorySegment w, long offset, float[] x, int xOffset, int n) {
        // Two accumulators, quarters alternating between them: one FMA chain would bound the loop.
        var acc0 = FloatVector.zero(F);
        var acc1 = FloatVector.zero(F);
        for (int b = 0; b < n / 256; b++) {
            long base = offset + 210L * b;
            float d = Dequantize.f16(w, base + 208);
            for (int half = 0; half < 2; half++) {
                long ql = base + 64L * half;
                long qh = base + 128 + 32L * half;
                // The half's 8 signed scales in one read: byte-sized reads here were a third of Q6_K
                // decode, their bounds checks no longer inlined in a method this large.
                long scales = w.get(I64, base + 192 + 8L * half);
                int xh = xOffset + 256 * b + 128 * half;
                for (int l = 0; l < 32; l += L) {
                    var high = unsignedBytesToInts(w, qh + l);
                    var low0 = unsignedBytesToInts(w, ql + l);
                    var low1 = unsignedBytesToInts(w, ql + 32 + l);
                    var s0 = toFloats(q6KQuarter(low0, high, 0)).mul(FloatVector.fromArray(F, x, xh + l));
                    var s1 = toFloats(q6KQuarter(low1, high, 1)).mul(FloatVector.fromArray(F, x, xh + l + 32));
                    var s2 = toFloats(q6KQuarter(low0, high, 2)).mul(FloatVector.fromArray(F, x, xh + l + 64));
                    var s3 = toFloats(q6KQuarter(low1, high, 3)).mul(FloatVector.fromArray(F, x, xh + l + 96));
                    // Quarter p's scale is byte l / 16 + 2p of scales. Written out, not through a helper:
                    // even a one-line helper here pushed this method past C2's inlining budget and
                    // halved the kernel (JMH MatVecBenchmark Q6_K 1536x1536 on the Zen 3 VM: 1241 -> 567 ops/s).
                    int shift = 8 * (l / 16);
                    acc0 = s0.fma(FloatVector.broadcast(F, d * (byte) (scales >>> shift)), acc0);
                    acc1 = s1.fma(FloatVector.broadcast(F, d * (byte) (scales >>> (shift + 16))), acc1);
                    acc0 = s2.fma(FloatVector.broadcast(F, d * (byte) (scales >>> (shift + 32))), acc0);
                    acc1 = s3.fma(FloatVector.broadcast(F, d * (byte) (scales >>> (shift + 48))), acc1);
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }
}
