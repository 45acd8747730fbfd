package ai.appliance.runtime.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.kernels.VectorDot;
import ai.appliance.runtime.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Q4_K blocks from grids the encoder must find exactly (bytes worked out by hand from
 * quantize_row_q4_K_ref), and the error on random rows against a plain 4-bit quantizer. Byte equality
 * with llama.cpp on random data was checked against libggml-base's quantize_row_q4_K_ref itself; that
 * check needs a llama.cpp build, so it is not a test here.
 */
class Q4_KEncoderTest {
    private static byte[] encode(float[] values) {
        var out = ByteBuffer.allocate(values.length / 256 * 144).order(ByteOrder.LITTLE_ENDIAN);
        Q4_KEncoder.encode(values, 0, values.length, out);
        assertEquals(0, out.remaining());
        return out.array();
    }

    private static float[] decode(byte[] blocks, int n) {
        var out = new float[n];
        Dequantize.values(GgmlType.Q4_K, MemorySegment.ofArray(blocks), 0, out, 0, n);
        return out;
    }

    /** Value i of sub-block j is quant (7i + j) mod 16: every level in a scrambled order, so nibble placement shows. */
    private static int quant(int j, int i) {
        return (7 * i + j) % 16;
    }

    private static void assertQuants(byte[] block) {
        for (int j = 0; j < 8; j++) {
            for (int i = 0; i < 32; i++) {
                int b = block[16 + 32 * (j / 2) + i] & 0xff;
                assertEquals(quant(j, i), j % 2 == 0 ? b & 0xf : b >>> 4, "sub-block " + j + " value " + i);
            }
        }
    }

    @Test
    void powerOfTwoScalesWithoutMinsPackAsWorkedOut() {
        // Sub-block j is s_j·q, q ∈ 0..15, s = 1, 1/2, ..., 1/64, 1: the first least-squares grid fits exactly
        // (error 0), so make_qkx2_quants returns s_j and min 0. The 6-bit scales are nearest(63·s_j / 1):
        // 63, 32 (31.5, a tie, to even), 16, 8, 4, 2, 1, 63; mins all 0; d = fp16(1/63) = 0x2410, dmin 0.
        float[] scale = {1f, 0.5f, 0.25f, 0.125f, 0.0625f, 0.03125f, 0.015625f, 1f};
        var x = new float[256];
        for (int j = 0; j < 8; j++) for (int i = 0; i < 32; i++) x[32 * j + i] = scale[j] * quant(j, i);
        var block = encode(x);
        var header = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals((short) 0x2410, header.getShort(0));
        assertEquals(0, header.getShort(2));
        // scales 0-3 in bytes 0-3, mins 0-3 in 4-7 (all 0); byte 8+k holds scale 4+k's low nibble and min 4+k's
        // (0) in its high one; the top two bits of scale 4+k go to byte k: only scale 7 = 63 has them (→ byte 3).
        assertArrayEquals(new byte[] {63, 32, 16, (byte) (8 | 0xC0), 0, 0, 0, 0, 4, 2, 1, 15}, Arrays.copyOfRange(block, 4, 16));
        // d·sc_j is within 1.6% of s_j, so every value rounds back to its own quant.
        assertQuants(block);
    }

    @Test
    void sharedScaleAndMinSaturateEverySixBitField() {
        // x = q/4 − 1 everywhere: min −1, max 2.75, iscale = 15/3.75 = 4 exactly, so scale 1/4, min 1 with no
        // error; every sub-block has the largest scale and min, so all of them are 63 (all 12 bytes 0xFF);
        // d = fp16(0.25/63) = 0x1C10, dmin = fp16(1/63) = 0x2410.
        var x = new float[512];
        for (int k = 0; k < 512; k++) x[k] = quant(k / 32 % 8, k % 32) * 0.25f - 1f;
        var blocks = encode(x);
        for (int b = 0; b < 2; b++) {
            var block = Arrays.copyOfRange(blocks, 144 * b, 144 * (b + 1));
            var header = ByteBuffer.wrap(block).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals((short) 0x1C10, header.getShort(0));
            assertEquals((short) 0x2410, header.getShort(2));
            for (int i = 4; i < 16; i++) assertEquals((byte) 0xFF, block[i], "scale byte " + (i - 4));
            assertQuants(block);
        }
        var decoded = decode(blocks, 512);
        for (int k = 0; k < 512; k++) assertEquals(x[k], decoded[k], 2e-3f, "value " + k); // d·63 and dmin·63 are 2.4e-4 off in fp16
    }

    @Test
    void zerosAndConstantsEncodeToZeroScales() {
        var zeros = encode(new float[256]);
        assertArrayEquals(new byte[144], zeros, "max == min: scale 0, min 0, quants 0");
        // A positive constant c: the min is clamped to 0, and c/15 is the scale of quant 15.
        var fives = new float[256];
        Arrays.fill(fives, 5f);
        var decoded = decode(encode(fives), 256);
        for (float v : decoded) assertEquals(5f, v, 5f / 15 / 63 * 2);
    }

    @Test
    void nearestIntRoundsHalvesToEvenLikeGgml() {
        assertEquals(2, Q4_KEncoder.nearestInt(2.5f));
        assertEquals(4, Q4_KEncoder.nearestInt(3.5f));
        assertEquals(-2, Q4_KEncoder.nearestInt(-2.5f));
        assertEquals(0, Q4_KEncoder.nearestInt(-0f));
        assertEquals(15, Q4_KEncoder.nearestInt(14.500001f));
        assertEquals(4194303, Q4_KEncoder.nearestInt(4194303f));
    }

    @Test
    void packedScalesReadBackAsDequantizeReadsThem() {
        // Scale and min fields of distinct values 0..63 in every slot, written with the encoder's packing.
        int[] ls = {1, 17, 33, 63, 62, 47, 16, 5};
        int[] lm = {60, 2, 48, 31, 32, 0, 63, 15};
        var packed = new byte[12];
        for (int j = 0; j < 8; j++) {
            if (j < 4) {
                packed[j] = (byte) ls[j];
                packed[j + 4] = (byte) lm[j];
            } else {
                packed[j + 4] = (byte) ((ls[j] & 0xf) | ((lm[j] & 0xf) << 4));
                packed[j - 4] |= (byte) ((ls[j] >> 4) << 6);
                packed[j] |= (byte) ((lm[j] >> 4) << 6);
            }
        }
        for (int j = 0; j < 8; j++) {
            assertEquals(ls[j], Q4_KEncoder.scaleOrMin(packed, j, false));
            assertEquals(lm[j], Q4_KEncoder.scaleOrMin(packed, j, true));
        }
    }

    @Test
    void randomRowsBeatAPlainMinMaxFourBitQuantizer() {
        var random = new Random(7);
        int n = 256 * 32;
        for (double offset : new double[] {0, 0.01}) {
            var x = new float[n];
            for (int i = 0; i < n; i++) x[i] = (float) (random.nextGaussian() * 0.02 + offset);
            var decoded = decode(encode(x), n);
            double q4k = 0;
            double plain = 0;
            for (int b = 0; b < n; b += 32) {
                // 16 levels from the sub-block's min to its max, scale and min kept in float32
                float min = Float.MAX_VALUE;
                float max = -Float.MAX_VALUE;
                for (int i = b; i < b + 32; i++) {
                    min = Math.min(min, x[i]);
                    max = Math.max(max, x[i]);
                }
                float step = (max - min) / 15;
                for (int i = b; i < b + 32; i++) {
                    float p = Math.round((x[i] - min) / step) * step + min;
                    plain += (p - x[i]) * (p - x[i]);
                    q4k += (decoded[i] - x[i]) * (decoded[i] - x[i]);
                    // no value is further from its decoding than a whole step of its sub-block's grid
                    assertTrue(Math.abs(decoded[i] - x[i]) <= step, "value " + i);
                }
            }
            // llama.cpp's weighted search gives some 9% less RMS error than min/max despite 6-bit scales
            assertTrue(Math.sqrt(q4k) < 0.95 * Math.sqrt(plain), "Q4_K rms " + Math.sqrt(q4k / n) + " vs plain " + Math.sqrt(plain / n));
        }
    }

    @Test
    void dotProductsOfEncodedRowsMatchTheDecodedAndTheOriginalValues() {
        var random = new Random(11);
        int n = 256 * 8;
        var w = new float[n];
        var x = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = (float) random.nextGaussian() * 0.05f;
            x[i] = (float) random.nextGaussian();
        }
        var blocks = encode(w);
        var decoded = decode(blocks, n);
        double exactDecoded = 0;
        double exactOriginal = 0;
        double errorNorm = 0;
        double xNorm = 0;
        for (int i = 0; i < n; i++) {
            exactDecoded += (double) decoded[i] * x[i];
            exactOriginal += (double) w[i] * x[i];
            errorNorm += (decoded[i] - w[i]) * (decoded[i] - w[i]);
            xNorm += (double) x[i] * x[i];
        }
        float dot = VectorDot.dot(GgmlType.Q4_K, MemorySegment.ofArray(blocks), 0, x, 0, n);
        assertEquals(exactDecoded, dot, 1e-4 * Math.sqrt(xNorm), "the kernel computes with the decoded weights");
        // The quantization error's effect on the dot is bounded by Cauchy-Schwarz, and is far smaller on random x.
        assertEquals(exactOriginal, dot, 0.2 * Math.sqrt(errorNorm * xNorm));
    }

    @Test
    void refusesRowsThatAreNotWholeSuperBlocks() {
        assertThrows(IllegalArgumentException.class, () -> Q4_KEncoder.encode(new float[288], 0, 288, ByteBuffer.allocate(1000)));
    }
}
