package ai.appliance.runtime.quantize;

import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Reads rows of an F32, F16, BF16 or FP8 E4M3 (with its block scales) tensor as floats (the inputs a
 * quantizer accepts).
 */
public final class FloatRows {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private FloatRows() {
    }

    public static boolean isFloat(GgmlType type) {
        return type == GgmlType.F32 || type == GgmlType.F16 || type == GgmlType.BF16 || type == GgmlType.FP8_E4M3;
    }

    /** Copies row {@code row} (of length {@code t.rowLength()}) into {@code out}. */
    public static void read(Tensor t, long row, float[] out) {
        int n = (int) t.rowLength();
        var data = t.data();
        switch (t.type()) {
            case F32 -> {
                long base = row * n * 4L;
                for (int i = 0; i < n; i++) out[i] = data.get(F32, base + 4L * i);
            }
            case F16 -> {
                long base = row * n * 2L;
                for (int i = 0; i < n; i++) out[i] = Float.float16ToFloat(data.get(I16, base + 2L * i));
            }
            case BF16 -> {
                long base = row * n * 2L;
                for (int i = 0; i < n; i++) out[i] = Float.intBitsToFloat((data.get(I16, base + 2L * i) & 0xFFFF) << 16);
            }
            case FP8_E4M3 -> Dequantize.row(t, row, out, 0); // the weights as the checkpoint defines them: fp8 × block scale
            default -> throw new IllegalArgumentException(t + " is not a float tensor");
        }
    }
}
