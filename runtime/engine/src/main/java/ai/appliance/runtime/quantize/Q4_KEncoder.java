package ai.appliance.runtime.quantize;

import java.nio.ByteBuffer;

/**
 * GGUF Q4_K encoding, the arithmetic of llama.cpp's {@code quantize_row_q4_K_ref} (ggml-quants.c), which
 * is what {@code llama-quantize} runs for Q4_K tensors when no importance matrix is given: so files match
 * llama.cpp's byte for byte.
 *
 * <p>A super-block of 256 values is 144 bytes: fp16 d, fp16 dmin, 12 bytes of 6-bit sub-block scales and
 * mins packed as {@code get_scale_min_k4} reads them, then 128 bytes of 4-bit quants (bytes 32·g..32·g+31
 * hold sub-block 2g in their low nibbles and 2g+1 in their high ones). Value i of sub-block j decodes to
 * {@code d·sc[j]·q[i] − dmin·m[j]}.
 *
 * <p>Each sub-block of 32 first gets its own scale and min from {@link #makeQkx2Quants} (a weighted least
 * squares search over 21 candidate grids, weights {@code rms + |x|}); the eight scales and eight mins are
 * then quantized to 6 bits against the largest of each, and the quants recomputed with the rounded scales.
 *
 * <p>Every float operation is in the order and precision of the C source (float32, no fused multiply-add:
 * ggml-base is built without {@code -march} flags, so the compiler cannot contract {@code a*b+c}), and
 * rounding to integers uses ggml's {@code nearest_int} bit trick (ties to even), not {@link Math#round}.
 */
public final class Q4_KEncoder {
    public static final int BLOCK = 256;
    public static final int BLOCK_BYTES = 144;
    private static final int SUB = 32;

    private Q4_KEncoder() {
    }

    /** Encodes {@code count} values (a multiple of 256) from {@code values[offset..]} into {@code out} (little-endian). */
    public static void encode(float[] values, int offset, int count, ByteBuffer out) {
        if (count % BLOCK != 0) throw new IllegalArgumentException("Q4_K needs a multiple of 256 values, got " + count);
        var L = new int[BLOCK];
        var laux = new int[SUB];
        var weights = new float[SUB];
        var mins = new float[BLOCK / SUB];
        var scales = new float[BLOCK / SUB];
        var packed = new byte[12];
        var theMin = new float[1];
        for (int x = offset; x < offset + count; x += BLOCK) {
            float maxScale = 0; // as the min is deducted, scales are positive
            float maxMin = 0;
            for (int j = 0; j < BLOCK / SUB; j++) {
                int base = x + SUB * j;
                float sumX2 = 0;
                for (int l = 0; l < SUB; l++) sumX2 += values[base + l] * values[base + l];
                float avX = (float) Math.sqrt(sumX2 / 32); // sqrt of a float in double, rounded once: sqrtf exactly
                for (int l = 0; l < SUB; l++) weights[l] = avX + Math.abs(values[base + l]);
                scales[j] = makeQkx2Quants(SUB, 15, values, base, weights, L, SUB * j, theMin, laux, -1f, 0.1f, 20);
                mins[j] = theMin[0];
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }

            float inverseScale = maxScale > 0 ? 63f / maxScale : 0f;
            float inverseMin = maxMin > 0 ? 63f / maxMin : 0f;
            java.util.Arrays.fill(packed, (byte) 0);
            for (int j = 0; j < BLOCK / SUB; j++) {
                // C stores nearest_int's result in a uint8_t before clamping to 63: keep its low 8 bits.
                int ls = Math.min(63, nearestInt(inverseScale * scales[j]) & 0xff);
                int lm = Math.min(63, nearestInt(inverseMin * mins[j]) & 0xff);
                if (j < 4) {
                    packed[j] = (byte) ls;
                    packed[j + 4] = (byte) lm;
                } else {
                    packed[j + 4] = (byte) ((ls & 0xf) | ((lm & 0xf) << 4));
                    packed[j - 4] |= (byte) ((ls >> 4) << 6);
                    packed[j] |= (byte) ((lm >> 4) << 6);
                }
            }
            short dBits = Float.floatToFloat16(maxScale / 63f);
            short dminBits = Float.floatToFloat16(maxMin / 63f);
            float superScale = Float.float16ToFloat(dBits);
            float superMin = Float.float16ToFloat(dminBits);

            for (int j = 0; j < BLOCK / SUB; j++) {
                float d = superScale * scaleOrMin(packed, j, false);
                if (d == 0) continue; // keeps the sub-block's quants from makeQkx2Quants, as C does
                float dm = superMin * scaleOrMin(packed, j, true);
                for (int ii = 0; ii < SUB; ii++) {
                    int l = nearestInt((values[x + SUB * j + ii] + dm) / d);
                    L[SUB * j + ii] = Math.max(0, Math.min(15, l));
                }
            }

            out.putShort(dBits);
            out.putShort(dminBits);
            out.put(packed);
            for (int j = 0; j < BLOCK; j += 64) {
                for (int l = 0; l < 32; l++) out.put((byte) (L[j + l] | (L[j + l + 32] << 4)));
            }
        }
    }

    /** get_scale_min_k4: the 6-bit scale ({@code min == false}) or min of sub-block j from the 12 packed bytes. */
    static int scaleOrMin(byte[] q, int j, boolean min) {
        if (j < 4) return q[j + (min ? 4 : 0)] & 63;
        return min ? ((q[j + 4] & 0xff) >>> 4) | (((q[j] & 0xff) >>> 6) << 4)
                : (q[j + 4] & 0xf) | (((q[j - 4] & 0xff) >>> 6) << 4);
    }

    /**
     * ggml's {@code nearest_int}: adding 1.5·2^23 leaves round-half-even(x) in the low mantissa bits (for
     * |x| &lt; 2^22). Kept as a bit trick, not {@code Math.rint}, so out-of-range inputs give C's result too.
     */
    static int nearestInt(float x) {
        int bits = Float.floatToRawIntBits(x + 12582912f);
        return (bits & 0x007fffff) - 0x00400000;
    }

    /**
     * ggml's {@code make_qkx2_quants} with {@code use_mad = false}: the scale and min (returned as a
     * non-negative offset in {@code theMin[0]}) of the grid {@code scale·l − min, l ∈ 0..nmax} fitting
     * {@code x[xOffset..xOffset+n)} with the least weighted squared error among the plain min/max grid and
     * {@code nstep + 1} grids stretched by {@code rmin + rdelta·is}, each refit by weighted least squares.
     * The chosen quants go to {@code L[lOffset..]}.
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xOffset, float[] weights, int[] L, int lOffset,
                                float[] theMin, int[] laux, float rmin, float rdelta, int nstep) {
        float min = x[xOffset];
        float max = x[xOffset];
        float sumW = weights[0];
        float sumX = sumW * x[xOffset];
        for (int i = 1; i < n; i++) {
            float v = x[xOffset + i];
            if (v < min) min = v;
            if (v > max) max = v;
            float w = weights[i];
            sumW += w;
            sumX += w * v;
        }
        if (min > 0) min = 0;
        if (max == min) {
            for (int i = 0; i < n; i++) L[lOffset + i] = 0;
            theMin[0] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xOffset + i];
            int l = nearestInt(iscale * (v - min));
            l = Math.max(0, Math.min(nmax, l));
            L[lOffset + i] = l;
            float diff = scale * l + min - v;
            bestError += weights[i] * (diff * diff);
        }
        if (nstep < 1) {
            theMin[0] = -min;
            return scale;
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xOffset + i];
                int l = nearestInt(iscale * (v - min));
                l = Math.max(0, Math.min(nmax, l));
                laux[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * v;
            }
            float D = sumW * sumL2 - sumL * sumL;
            if (D > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / D;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / D;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float curError = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[xOffset + i];
                    curError += weights[i] * (diff * diff);
                }
                if (curError < bestError) {
                    System.arraycopy(laux, 0, L, lOffset, n);
                    bestError = curError;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }
}
