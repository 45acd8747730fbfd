package ai.appliance.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.appliance.runtime.tensor.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** Hand-built blocks with values worked out from ggml's block layouts. */
class DequantizeTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static MemorySegment bytes(int n) {
        return Arena.ofAuto().allocate(n);
    }

    private static void put(MemorySegment s, long at, int value) {
        s.set(ValueLayout.JAVA_BYTE, at, (byte) value);
    }

    @Test
    void q8_0IsScaleTimesSignedByte() {
        var s = bytes(34);
        s.set(I16, 0, Float.floatToFloat16(0.5f));
        for (int j = 0; j < 32; j++) put(s, 2 + j, j - 16);
        var out = new float[32];
        Dequantize.values(GgmlType.Q8_0, s, 0, out, 0, 32);
        for (int j = 0; j < 32; j++) assertEquals(0.5f * (j - 16), out[j]);
    }

    @Test
    void q4_0PutsLowNibblesFirstThenHighNibbles() {
        var s = bytes(18);
        s.set(I16, 0, Float.floatToFloat16(2f));
        for (int j = 0; j < 16; j++) put(s, 2 + j, (15 - j) << 4 | j);
        var out = new float[32];
        Dequantize.values(GgmlType.Q4_0, s, 0, out, 0, 32);
        for (int j = 0; j < 16; j++) {
            assertEquals(2f * (j - 8), out[j]);
            assertEquals(2f * (15 - j - 8), out[16 + j]);
        }
    }

    @Test
    void q4_KUnpacksSixBitScalesAndMinsOfAllEightSubBlocks() {
        var s = bytes(144);
        s.set(I16, 0, Float.floatToFloat16(1f));   // d
        s.set(I16, 2, Float.floatToFloat16(0.5f)); // dmin
        int[] scale = {1, 2, 3, 4, 37, 45, 50, 63};
        int[] min = {5, 6, 7, 8, 20, 33, 48, 61};
        // Sub-blocks 0..3: low 6 bits of bytes 0..3 (scales) and 4..7 (mins); their top 2 bits
        // carry the high bits of sub-blocks 4..7, whose low 4 bits sit in bytes 8..11.
        for (int j = 0; j < 4; j++) {
            put(s, 4 + j, scale[j] | (scale[j + 4] >> 4) << 6);
            put(s, 4 + j + 4, min[j] | (min[j + 4] >> 4) << 6);
            put(s, 4 + j + 8, (scale[j + 4] & 0xf) | (min[j + 4] & 0xf) << 4);
        }
        for (int l = 0; l < 128; l++) put(s, 16 + l, 0x93); // low nibble 3, high nibble 9
        var out = new float[256];
        Dequantize.values(GgmlType.Q4_K, s, 0, out, 0, 256);
        for (int sub = 0; sub < 8; sub++) {
            int q = sub % 2 == 0 ? 3 : 9;
            float expected = 1f * scale[sub] * q - 0.5f * min[sub];
            for (int l = 0; l < 32; l++) assertEquals(expected, out[32 * sub + l], "sub-block " + sub);
        }
    }

    @Test
    void q6_KCombinesFourLowAndTwoHighBitsWithSixteenScales() {
        var s = bytes(210);
        s.set(I16, 208, Float.floatToFloat16(0.25f));
        for (int i = 0; i < 16; i++) put(s, 192 + i, i - 8);
        // Every 6-bit quant = 0b10_0101 = 37, i.e. 37 - 32 = 5.
        for (int i = 0; i < 128; i++) put(s, i, 0x55);
        for (int i = 0; i < 64; i++) put(s, 128 + i, 0b10101010);
        var out = new float[256];
        Dequantize.values(GgmlType.Q6_K, s, 0, out, 0, 256);
        for (int i = 0; i < 256; i++) {
            int scaleIndex = i / 16; // each group of 16 consecutive outputs shares one scale
            assertEquals(0.25f * (scaleIndex - 8) * 5, out[i], "element " + i);
        }
    }

    @Test
    void halfAndBrainFloatDecodeExactly() {
        var s = bytes(8);
        s.set(I16, 0, Float.floatToFloat16(-1.5f));
        s.set(I16, 2, (short) 0x0001); // smallest subnormal half
        s.set(I16, 4, (short) (Float.floatToIntBits(3.25f) >>> 16));
        s.set(I16, 6, (short) 0x8000); // negative zero
        var halves = new float[2];
        Dequantize.values(GgmlType.F16, s, 0, halves, 0, 2);
        assertArrayEquals(new float[] {-1.5f, 0x1p-24f}, halves);
        var brain = new float[1];
        Dequantize.values(GgmlType.BF16, s, 4, brain, 0, 1);
        assertEquals(3.25f, brain[0]);
        // The vector F16 path agrees on subnormals and signed zero too.
        var x = new float[32];
        java.util.Arrays.fill(x, 1f);
        var many = Arena.ofAuto().allocate(64);
        for (int i = 0; i < 32; i++) many.set(I16, 2L * i, (short) (i % 2 == 0 ? 0x0001 : 0x8000));
        assertEquals(16 * 0x1p-24f, VectorDot.dot(GgmlType.F16, many, 0, x, 0, 32));
    }
}
