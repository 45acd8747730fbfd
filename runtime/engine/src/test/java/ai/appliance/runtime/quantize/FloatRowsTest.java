package ai.appliance.runtime.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.tensor.BlockScales;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class FloatRowsTest {
    private static final float[] VALUES = {1.5f, -2.25f, 0f, 65280f, -0.0009765625f, 3.140625f};

    private static Tensor tensor(GgmlType type, ByteBuffer bytes) {
        return new Tensor("t", type, new long[] {2, 3}, MemorySegment.ofArray(bytes.array()));
    }

    @Test
    void readsRowsOfF32F16AndBf16() {
        var f32 = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        var f16 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        var bf16 = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : VALUES) {
            f32.putFloat(v);
            f16.putShort(Float.floatToFloat16(v));
            bf16.putShort((short) (Float.floatToRawIntBits(v) >>> 16)); // every value here is exact in bf16
        }
        var row = new float[3];
        for (var t : new Tensor[] {tensor(GgmlType.F32, f32), tensor(GgmlType.F16, f16), tensor(GgmlType.BF16, bf16)}) {
            FloatRows.read(t, 1, row);
            assertArrayEquals(new float[] {65280f, -0.0009765625f, 3.140625f}, row, t.type().toString());
            FloatRows.read(t, 0, row);
            assertArrayEquals(new float[] {1.5f, -2.25f, 0f}, row, t.type().toString());
        }
    }

    @Test
    void readsRowsOfFp8TimesTheirBlockRowsScales() {
        // 0x38 = 1.0, 0xC4 = -3.0, 0x7E = 448, 0x01 = 2^-9 (subnormal), 0x80 = -0.0; rows in blocks of 1, columns of 2
        var bytes = new byte[] {0x38, (byte) 0xC4, 0x7E, 0x01, 0x38, (byte) 0x80};
        var scales = new BlockScales(1, 2, 2, 2, new float[] {0.5f, 2f, 0.25f, 4f});
        var t = new Tensor("w", GgmlType.FP8_E4M3, new long[] {2, 3}, MemorySegment.ofArray(bytes), scales);
        var row = new float[3];
        FloatRows.read(t, 0, row);
        assertArrayEquals(new float[] {0.5f, -1.5f, 896f}, row);
        FloatRows.read(t, 1, row);
        assertArrayEquals(new float[] {0x1p-11f, 0.25f, -0f}, row);
        assertTrue(FloatRows.isFloat(GgmlType.FP8_E4M3));
        var unscaled = new Tensor("w", GgmlType.FP8_E4M3, new long[] {2, 3}, MemorySegment.ofArray(bytes));
        assertThrows(IllegalArgumentException.class, () -> FloatRows.read(unscaled, 0, row));
    }
}
