package ai.appliance.runtime.kernels;

import ai.appliance.runtime.tensor.GgmlType;
import java.lang.foreign.MemorySegment;

/** Plain dot product through {@link Dequantize}: the reference for {@link VectorDot} and its fallback. */
public final class ScalarDot {
    private ScalarDot() {
    }

    public static float dot(GgmlType type, MemorySegment w, long offset, float[] x, int xOffset, int n) {
        int block = Math.max(type.blockSize(), 32);
        var values = new float[block];
        float sum = 0f;
        int i = 0;
        for (; i + block <= n; i += block) {
            Dequantize.values(type, w, offset + type.bytesFor(i), values, 0, block);
            for (int j = 0; j < block; j++) sum += values[j] * x[xOffset + i + j];
        }
        int rest = n - i;
        if (rest > 0) {
            Dequantize.values(type, w, offset + type.bytesFor(i), values, 0, rest);
            for (int j = 0; j < rest; j++) sum += values[j] * x[xOffset + i + j];
        }
        return sum;
    }

    /**
     * Σ_c W[c]·x[xOffset + c] over an FP8 E4M3 row of n values at byte {@code offset}, its values
     * dequantized as {@link Dequantize#fp8Row} does (scales from {@code scales[scaleOffset]}, one per
     * {@code columnBlock} columns).
     */
    public static float dotFp8(MemorySegment w, long offset, float[] x, int xOffset, int n,
                               float[] scales, int scaleOffset, int columnBlock) {
        var values = new float[n];
        Dequantize.fp8Row(w, offset, n, scales, scaleOffset, columnBlock, values, 0);
        float sum = 0f;
        for (int c = 0; c < n; c++) sum += values[c] * x[xOffset + c];
        return sum;
    }
}
