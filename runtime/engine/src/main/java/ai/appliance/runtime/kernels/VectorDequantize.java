package ai.appliance.runtime.kernels;

import static ai.appliance.runtime.kernels.VectorDot.B;
import static ai.appliance.runtime.kernels.VectorDot.F;
import static ai.appliance.runtime.kernels.VectorDot.I;
import static ai.appliance.runtime.kernels.VectorDot.L;
import static ai.appliance.runtime.kernels.VectorDot.LE;
import static ai.appliance.runtime.kernels.VectorDot.S;

import ai.appliance.runtime.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector API decoding of a weight row to F32, bit-identical to {@link Dequantize} (the same
 * products of the same floats). The matrix-matrix kernel decodes each weight row once per chunk of
 * tokens, so this must be cheap next to the products it feeds.
 */
public final class VectorDequantize {
    private VectorDequantize() {
    }

    /** As {@link Dequantize#values}: {@code n} values of {@code type} from byte {@code offset} to out[outOffset..]. */
    public static void values(GgmlType type, MemorySegment w, long offset, float[] out, int outOffset, int n) {
        if (!VectorDot.ENABLED) {
            Dequantize.values(type, w, offset, out, outOffset, n);
            return;
        }
        switch (type) {
            case F32 -> f32(w, offset, out, outOffset, n);
            case F16 -> f16(w, offset, out, outOffset, n);
            case BF16 -> bf16(w, offset, out, outOffset, n);
            case Q8_0 -> q8_0(w, offset, out, outOffset, n);
            case Q4_0 -> q4_0(w, offset, out, outOffset, n);
            case Q4_K -> q4_K(w, offset, out, outOffset, n);
            case Q6_K -> q6_K(w, offset, out, outOffset, n);
            case FP8_E4M3 -> throw new IllegalArgumentException(type + " values need their block scales (VectorDequantize.fp8Row)");
        }
    }

    /**
     * As {@link Dequantize#fp8Row}, bit for bit (the FP8 value is exact as a float, then one product with
     * the scale) but for the NaN bytes 0x7F and 0xFF, which decode as ±480 · scale (see {@link VectorDot#dotFp8}).
     */
    public static void fp8Row(MemorySegment w, long offset, int n, float[] scales, int scaleOffset, int columnBlock,
                              float[] out, int outOffset) {
        if (!VectorDot.ENABLED) {
            Dequantize.fp8Row(w, offset, n, scales, scaleOffset, columnBlock, out, outOffset);
            return;
        }
        for (int start = 0, j = scaleOffset; start < n; start += columnBlock, j++) {
            int end = (int) Math.min(n, (long) start + columnBlock);
            float scale = scales[j];
            var k = FloatVector.broadcast(F, scale);
            int c = start;
            for (; c + L <= end; c += L) {
                ((IntVector) ByteVector.fromMemorySegment(B, w, offset + c, LE).convertShape(VectorOperators.B2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 20).and(VectorDot.FP8_FLOAT_BITS).reinterpretAsFloats()
                        .mul(VectorDot.FP8_REBASE_VECTOR).mul(k).intoArray(out, outOffset + c);
            }
            for (; c < end; c++) out[outOffset + c] = VectorDot.fp8Value(w.get(ValueLayout.JAVA_BYTE, offset + c)) * scale;
        }
    }

    private static void f32(MemorySegment w, long offset, float[] out, int o, int n) {
        MemorySegment.copy(w, Dequantize.F32, offset, out, o, n);
    }

    private static void f16(MemorySegment w, long offset, float[] out, int o, int n) {
        int i = 0;
        for (; i + L <= n; i += L) VectorDot.halfs(w, offset + 2L * i).intoArray(out, o + i);
        for (; i < n; i++) out[o + i] = Float.float16ToFloat(w.get(Dequantize.I16, offset + 2L * i));
    }

    private static void bf16(MemorySegment w, long offset, float[] out, int o, int n) {
        int i = 0;
        for (; i + L <= n; i += L) {
            var bits = (IntVector) ShortVector.fromMemorySegment(S, w, offset + 2L * i, LE).convertShape(VectorOperators.S2I, I, 0);
            bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, o + i);
        }
        for (; i < n; i++) out[o + i] = Dequantize.bf16(w.get(Dequantize.I16, offset + 2L * i));
    }

    private static void q8_0(MemorySegment w, long offset, float[] out, int o, int n) {
        if (L == 16) {
            // A block is exactly two vectors: written out, the loop has no inner loop to run.
            for (int b = 0; b < n / 32; b++) {
                long base = offset + 34L * b;
                var d = FloatVector.broadcast(F, Dequantize.f16(w, base));
                int ob = o + 32 * b;
                VectorDot.bytesToFloats(ByteVector.fromMemorySegment(B, w, base + 2, LE)).mul(d).intoArray(out, ob);
                VectorDot.bytesToFloats(ByteVector.fromMemorySegment(B, w, base + 18, LE)).mul(d).intoArray(out, ob + 16);
            }
            return;
        }
        for (int b = 0; b < n / 32; b++) {
            long base = offset + 34L * b;
            var d = FloatVector.broadcast(F, Dequantize.f16(w, base));
            for (int j = 0; j < 32; j += L) {
                VectorDot.bytesToFloats(ByteVector.fromMemorySegment(B, w, base + 2 + j, LE)).mul(d).intoArray(out, o + 32 * b + j);
            }
        }
    }

    private static void q4_0(MemorySegment w, long offset, float[] out, int o, int n) {
        for (int b = 0; b < n / 32; b++) {
            long base = offset + 18L * b;
            var d = FloatVector.broadcast(F, Dequantize.f16(w, base));
            for (int j = 0; j < 16; j += L) {
                var q = ByteVector.fromMemorySegment(B, w, base + 2 + j, LE);
                VectorDot.bytesToFloats(q.and((byte) 0xf).sub((byte) 8)).mul(d).intoArray(out, o + 32 * b + j);
                VectorDot.bytesToFloats(q.lanewise(VectorOperators.LSHR, 4).sub((byte) 8)).mul(d).intoArray(out, o + 32 * b + 16 + j);
            }
        }
    }

    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    private static void q4_K(MemorySegment w, long offset, float[] out, int o, int n) {
        for (int b = 0; b < n / 256; b++) {
            long base = offset + 144L * b;
            float d = Dequantize.f16(w, base);
            float dmin = Dequantize.f16(w, base + 2);
            long scalesLow = w.get(I64, base + 4);
            int scalesHigh = w.get(I32, base + 12);
            long qs = base + 16;
            int y = o + 256 * b;
            for (int group = 0; group < 4; group++) {
                // As the scalar reference: d1 * q - m1, a product then a difference (no fused multiply-add).
                var d1 = FloatVector.broadcast(F, d * VectorDot.q4KScaleOrMin(scalesLow, scalesHigh, 2 * group, false));
                var m1 = FloatVector.broadcast(F, dmin * VectorDot.q4KScaleOrMin(scalesLow, scalesHigh, 2 * group, true));
                var d2 = FloatVector.broadcast(F, d * VectorDot.q4KScaleOrMin(scalesLow, scalesHigh, 2 * group + 1, false));
                var m2 = FloatVector.broadcast(F, dmin * VectorDot.q4KScaleOrMin(scalesLow, scalesHigh, 2 * group + 1, true));
                for (int l = 0; l < 32; l += L) {
                    var q = VectorDot.unsignedBytesToInts(w, qs + 32L * group + l);
                    VectorDot.toFloats(q.and(VectorDot.NIBBLE)).mul(d1).sub(m1).intoArray(out, y + 64 * group + l);
                    VectorDot.toFloats(q.lanewise(VectorOperators.LSHR, 4)).mul(d2).sub(m2).intoArray(out, y + 64 * group + 32 + l);
                }
            }
        }
    }

    private static void q6_K(MemorySegment w, long offset, float[] out, int o, int n) {
        for (int b = 0; b < n / 256; b++) {
            long base = offset + 210L * b;
            float d = Dequantize.f16(w, base + 208);
            for (int half = 0; half < 2; half++) {
                long ql = base + 64L * half;
                long qh = base + 128 + 32L * half;
                long scales = w.get(I64, base + 192 + 8L * half); // 8 signed scales, as in VectorDot.q6_K
                int y = o + 256 * b + 128 * half;
                for (int l = 0; l < 32; l += L) {
                    var high = VectorDot.unsignedBytesToInts(w, qh + l);
                    var low0 = VectorDot.unsignedBytesToInts(w, ql + l);
                    var low1 = VectorDot.unsignedBytesToInts(w, ql + 32 + l);
                    for (int p = 0; p < 4; p++) {
                        // As the scalar reference: (d * scale) * q, the same two products.
                        var scale = FloatVector.broadcast(F, d * (byte) (scales >>> (8 * (l / 16 + 2 * p))));
                        VectorDot.toFloats(VectorDot.q6KQuarter((p & 1) == 0 ? low0 : low1, high, p)).mul(scale)
                                .intoArray(out, y + l + 32 * p);
                    }
                }
            }
        }
    }
}
