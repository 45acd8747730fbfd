package ai.appliance.runtime.kernels;

import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Scalar reference dequantization of every weight type, following ggml-quants.c block layouts
 * exactly. It is the plain fallback of the vector kernels and the reference their tests compare to.
 */
public final class Dequantize {
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Dequantize() {
    }

    /**
     * Writes {@code n} values of {@code type} stored from byte {@code offset} of {@code data} to
     * {@code out[outOffset..]}; {@code n} must be a multiple of the type's block size. Not for
     * {@link GgmlType#FP8_E4M3}, whose scales are apart from the data: see {@link #fp8Row} and {@link #row(Tensor, long, float[], int)}.
     */
    public static void values(GgmlType type, MemorySegment data, long offset, float[] out, int outOffset, int n) {
        if (n % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " needs a multiple of " + type.blockSize() + " values, got " + n);
        }
        switch (type) {
            case F32 -> {
                for (int i = 0; i < n; i++) out[outOffset + i] = data.get(F32, offset + 4L * i);
            }
            case F16 -> {
                for (int i = 0; i < n; i++) out[outOffset + i] = Float.float16ToFloat(data.get(I16, offset + 2L * i));
            }
            case BF16 -> {
                for (int i = 0; i < n; i++) out[outOffset + i] = bf16(data.get(I16, offset + 2L * i));
            }
            case Q8_0 -> q8_0(data, offset, out, outOffset, n);
            case Q4_0 -> q4_0(data, offset, out, outOffset, n);
            case Q4_K -> q4_K(data, offset, out, outOffset, n);
            case Q6_K -> q6_K(data, offset, out, outOffset, n);
            case FP8_E4M3 -> throw new IllegalArgumentException(type + " values need their block scales (Dequantize.fp8Row)");
        }
    }

    /** Row {@code row} of a matrix whose rows hold {@code columns} values of {@code type} (not FP8: {@link #row(Tensor, long, float[], int)}). */
    public static void row(GgmlType type, MemorySegment data, int columns, long row, float[] out, int outOffset) {
        values(type, data, row * type.bytesFor(columns), out, outOffset, columns);
    }

    /** Row {@code row} of {@code t} as a matrix of {@link Tensor#rowLength()} columns, any type (FP8 with its block scales). */
    public static void row(Tensor t, long row, float[] out, int outOffset) {
        int columns = (int) t.rowLength();
        if (t.type() == GgmlType.FP8_E4M3) {
            var s = t.requireScales();
            fp8Row(t.data(), row * columns, columns, s.values(), s.rowOffset(row), s.columnBlock(), out, outOffset);
        } else {
            row(t.type(), t.data(), columns, row, out, outOffset);
        }
    }

    /**
     * The value of an FP8 e4m3fn byte as the format defines it: sign, 4 exponent bits of bias 7 and 3
     * mantissa bits; exponent 0 is subnormal (mantissa · 2^-9); 0x7F and 0xFF are NaN; no infinities.
     */
    public static float fp8(byte b) {
        int exponent = (b >>> 3) & 0xf;
        int mantissa = b & 7;
        float magnitude;
        if (exponent == 0) magnitude = mantissa * 0x1p-9f;
        else if (exponent == 15 && mantissa == 7) magnitude = Float.NaN;
        else magnitude = Math.scalb((float) (8 + mantissa), exponent - 10); // (1 + m/8) · 2^(e-7)
        return b < 0 ? -magnitude : magnitude;
    }

    /**
     * One row of an FP8 E4M3 matrix: out[outOffset + c] = fp8(byte offset + c) · scales[scaleOffset +
     * c / columnBlock] for c &lt; n, where scaleOffset indexes the row's scales (its block row's first).
     */
    public static void fp8Row(MemorySegment data, long offset, int n, float[] scales, int scaleOffset, int columnBlock,
                              float[] out, int outOffset) {
        for (int c = 0; c < n; c++) {
            out[outOffset + c] = fp8(data.get(ValueLayout.JAVA_BYTE, offset + c)) * scales[scaleOffset + c / columnBlock];
        }
    }

    static float f16(MemorySegment data, long offset) {
        return Float.float16ToFloat(data.get(I16, offset));
    }

    static float bf16(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    // block_q8_0: fp16 d; int8 qs[32]
    private static void q8_0(MemorySegment data, long offset, float[] out, int o, int n) {
        for (int b = 0; b < n / 32; b++) {
            long base = offset + 34L * b;
            float d = f16(data, base);
            for (int j = 0; j < 32; j++) out[o + 32 * b + j] = d * data.get(ValueLayout.JAVA_BYTE, base + 2 + j);
        }
    }

    // block_q4_0: fp16 d; uint8 qs[16]; element j is the low nibble of qs[j], element j+16 its high nibble
    private static void q4_0(MemorySegment data, long offset, float[] out, int o, int n) {
        for (int b = 0; b < n / 32; b++) {
            long base = offset + 18L * b;
            float d = f16(data, base);
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, base + 2 + j) & 0xff;
                out[o + 32 * b + j] = ((q & 0xf) - 8) * d;
                out[o + 32 * b + j + 16] = ((q >>> 4) - 8) * d;
            }
        }
    }

    /** 6-bit scale ({@code min == false}) or min of sub-block j of a Q4_K super-block (get_scale_min_k4). */
    static int q4KScaleOrMin(MemorySegment data, long scales, int j, boolean min) {
        if (j < 4) {
            return (data.get(ValueLayout.JAVA_BYTE, scales + j + (min ? 4 : 0)) & 63);
        }
        int hi = data.get(ValueLayout.JAVA_BYTE, scales + j + 4) & 0xff;
        int lo = data.get(ValueLayout.JAVA_BYTE, scales + j - (min ? 0 : 4)) & 0xff;
        return min ? (hi >>> 4) | ((lo >>> 6) << 4) : (hi & 0xf) | ((lo >>> 6) << 4);
    }

    // block_q4_K: fp16 d; fp16 dmin; uint8 scales[12]; uint8 qs[128]
    private static void q4_K(MemorySegment data, long offset, float[] out, int o, int n) {
        for (int b = 0; b < n / 256; b++) {
            long base = offset + 144L * b;
            float d = f16(data, base);
            float dmin = f16(data, base + 2);
            long scales = base + 4;
            long qs = base + 16;
            int y = o + 256 * b;
            for (int group = 0; group < 4; group++) {
                float d1 = d * q4KScaleOrMin(data, scales, 2 * group, false);
                float m1 = dmin * q4KScaleOrMin(data, scales, 2 * group, true);
                float d2 = d * q4KScaleOrMin(data, scales, 2 * group + 1, false);
                float m2 = dmin * q4KScaleOrMin(data, scales, 2 * group + 1, true);
                for (int l = 0; l < 32; l++) {
                    int q = data.get(ValueLayout.JAVA_BYTE, qs + 32L * group + l) & 0xff;
                    out[y + 64 * group + l] = d1 * (q & 0xf) - m1;
                    out[y + 64 * group + 32 + l] = d2 * (q >>> 4) - m2;
                }
            }
        }
    }

    // block_q6_K: uint8 ql[128]; uint8 qh[64]; int8 scales[16]; fp16 d
    private static void q6_K(MemorySegment data, long offset, float[] out, int o, int n) {
        for (int b = 0; b < n / 256; b++) {
            long base = offset + 210L * b;
            float d = f16(data, base + 208);
            for (int half = 0; half < 2; half++) {
                long ql = base + 64L * half;
                long qh = base + 128 + 32L * half;
                long sc = base + 192 + 8L * half;
                int y = o + 256 * b + 128 * half;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int low0 = data.get(ValueLayout.JAVA_BYTE, ql + l) & 0xff;
                    int low32 = data.get(ValueLayout.JAVA_BYTE, ql + 32 + l) & 0xff;
                    int high = data.get(ValueLayout.JAVA_BYTE, qh + l) & 0xff;
                    int q1 = ((low0 & 0xf) | ((high & 3) << 4)) - 32;
                    int q2 = ((low32 & 0xf) | (((high >>> 2) & 3) << 4)) - 32;
                    int q3 = ((low0 >>> 4) | (((high >>> 4) & 3) << 4)) - 32;
                    int q4 = ((low32 >>> 4) | (((high >>> 6) & 3) << 4)) - 32;
                    out[y + l] = d * data.get(ValueLayout.JAVA_BYTE, sc + is) * q1;
                    out[y + l + 32] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 2) * q2;
                    out[y + l + 64] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 4) * q3;
                    out[y + l + 96] = d * data.get(ValueLayout.JAVA_BYTE, sc + is + 6) * q4;
                }
            }
        }
    }
}
