package ai.appliance.runtime.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Q4_0EncoderTest {
    private static ByteBuffer encode(float[] values) {
        var out = ByteBuffer.allocate(values.length / 32 * 18).order(ByteOrder.LITTLE_ENDIAN);
        Q4_0Encoder.encode(values, 0, values.length, out);
        return out.flip();
    }

    @Test
    void largestMagnitudeMapsToQuantZeroWithItsSign() {
        // (j mod 16) − 8: the first value of largest magnitude is −8, so d = −8 / −8 = 1 and q = x + 8.
        var block = new float[32];
        for (int j = 0; j < 32; j++) block[j] = j % 16 - 8;
        var out = encode(block);
        assertEquals(Float.floatToFloat16(1f), out.getShort());
        for (int j = 0; j < 16; j++) assertEquals((byte) (j | j << 4), out.get(), "byte " + j);

        // Negated, the extreme is +8: d = −1 and q = 8 − x, the same quants.
        for (int j = 0; j < 32; j++) block[j] = -block[j];
        out = encode(block);
        assertEquals(Float.floatToFloat16(-1f), out.getShort());
        for (int j = 0; j < 16; j++) assertEquals((byte) (j | j << 4), out.get(), "byte " + j);
    }

    @Test
    void oppositeExtremeClampsToQuantFifteen() {
        // max 4 → d = −0.5; −4 · (1/d) + 8.5 = 16.5 truncates to 16, clamped to 15 (decodes to −3.5).
        var block = new float[32];
        block[0] = 4f;
        block[1] = -4f;
        var out = encode(block);
        assertEquals(Float.floatToFloat16(-0.5f), out.getShort(0));
        assertEquals(0, out.get(2) & 0xf);
        assertEquals(15, out.get(3) & 0xf);
        assertEquals(8, out.get(4) & 0xf, "zero is quant 8");
    }

    @Test
    void roundTripErrorIsWithinHalfAStepExceptAtTheClampedExtreme() {
        var random = new Random(3);
        var x = new float[32 * 64];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        var bytes = encode(x);
        var decoded = new float[x.length];
        Dequantize.values(GgmlType.Q4_0, MemorySegment.ofArray(bytes.array()), 0, decoded, 0, x.length);
        for (int b = 0; b < x.length / 32; b++) {
            float d = Math.abs(Float.float16ToFloat(bytes.getShort(18 * b)));
            for (int i = 32 * b; i < 32 * b + 32; i++) assertTrue(Math.abs(decoded[i] - x[i]) <= d * 1.001f, "value " + i);
        }
    }
}
