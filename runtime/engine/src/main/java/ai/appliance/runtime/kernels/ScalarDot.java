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
}
