package ai.appliance.runtime.kernels;

import ai.appliance.runtime.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;

/**
 * Vector decoding of weight rows to F32 (for the batched matmul, which decodes a row once and uses
 * it for many activation rows). Bit-identical to {@link Dequantize}, which handles the other types.
 */
public final class VectorDequantize {
    private VectorDequantize() {
    }

    public static void values(GgmlType type, MemorySegment data, long offset, float[] out, int outOffset, int n) {
        if (!VectorDot.ENABLED) {
            Dequantize.values(type, data, offset, out, outOffset, n);
            return;
        }
        switch (type) {
            case F32 -> MemorySegment.copy(data, Dequantize.F32, offset, out, outOffset, n);
            case F16 -> {
                int i = 0;
                for (; i + VectorDot.L <= n; i += VectorDot.L) VectorDot.halfs(data, offset + 2L * i).intoArray(out, outOffset + i);
                for (; i < n; i++) out[outOffset + i] = Float.float16ToFloat(data.get(Dequantize.I16, offset + 2L * i));
            }
            case Q8_0 -> {
                for (int b = 0; b < n / 32; b++) {
                    long base = offset + 34L * b;
                    var d = FloatVector.broadcast(VectorDot.F, Dequantize.f16(data, base));
                    for (int j = 0; j < 32; j += VectorDot.L) {
                        VectorDot.bytesToFloats(ByteVector.fromMemorySegment(VectorDot.B, data, base + 2 + j, VectorDot.LE))
                                .mul(d).intoArray(out, outOffset + 32 * b + j);
                    }
                }
            }
            default -> Dequantize.values(type, data, offset, out, outOffset, n);
        }
    }

}
