package ai.appliance.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.tensor.BlockScales;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** FP8 E4M3 weights with block scales: decoding, one- and four-row dot products, the tiled matrix product. */
class Fp8KernelsTest {

    /** The e4m3fn format as its definition reads, in double arithmetic: no bit tricks. */
    private static double e4m3(int b) {
        int sign = (b >> 7) & 1;
        int exponent = (b >> 3) & 0xf;
        int mantissa = b & 7;
        if (exponent == 15 && mantissa == 7) return Double.NaN;
        double magnitude = exponent == 0 ? mantissa / 8.0 * Math.pow(2, -6) : (1 + mantissa / 8.0) * Math.pow(2, exponent - 7);
        return sign == 1 ? -magnitude : magnitude;
    }

    /** Random FP8 bytes, never a NaN encoding (checkpoints hold none). */
    static MemorySegment randomFp8(long bytes, Random random) {
        var s = Arena.ofAuto().allocate(Math.max(1, bytes));
        for (long i = 0; i < bytes; i++) {
            int b = random.nextInt(256);
            if ((b & 0x7f) == 0x7f) b--;
            s.set(ValueLayout.JAVA_BYTE, i, (byte) b);
        }
        return s;
    }

    /** Positive block scales of the size amax/448 gives for weights of about 0.1. */
    static float[] randomScales(int count, Random random) {
        var s = new float[count];
        for (int i = 0; i < count; i++) s[i] = (float) (1e-4 + random.nextDouble() * 1e-3);
        return s;
    }

    @Test
    void everyByteDecodesAsTheE4m3fnDefinitionSaysThroughTheShiftAndTwoTo120Trick() {
        var all = Arena.ofAuto().allocate(256);
        for (int b = 0; b < 256; b++) all.set(ValueLayout.JAVA_BYTE, b, (byte) b);
        var vector = new float[256];
        VectorDequantize.fp8Row(all, 0, 256, new float[] {1f, 1f}, 0, 128, vector, 0);
        for (int b = 0; b < 256; b++) {
            double expected = e4m3(b);
            var what = "byte 0x" + Integer.toHexString(b);
            if (Double.isNaN(expected)) {
                assertTrue(b == 0x7f || b == 0xff, what);
                assertTrue(Float.isNaN(Dequantize.fp8((byte) b)), what);
                continue; // the trick gives ±480 for these: no checkpoint holds them
            }
            int bits = Float.floatToRawIntBits((float) expected);
            assertEquals(expected, (double) (float) expected, what + " is exact as a float");
            // The trick as written: sign to bit 31, exponent and mantissa to bits 20-26, then times 2^120.
            float trick = Float.intBitsToFloat(((b & 0x80) << 24) | ((b & 0x7f) << 20)) * 0x1p120f;
            assertEquals(bits, Float.floatToRawIntBits(trick), what + " (the trick)");
            assertEquals(bits, Float.floatToRawIntBits(VectorDot.fp8Value((byte) b)), what + " (scalar kernel tail)");
            assertEquals(bits, Float.floatToRawIntBits(Dequantize.fp8((byte) b)), what + " (reference)");
            assertEquals(bits, Float.floatToRawIntBits(vector[b]), what + " (vector decode)");
        }
        assertEquals(448f, Dequantize.fp8((byte) 0x7e));
        assertEquals(-0x1p-9f, Dequantize.fp8((byte) 0x81), "smallest subnormal");
        assertEquals(Float.floatToRawIntBits(-0f), Float.floatToRawIntBits(Dequantize.fp8((byte) 0x80)));
    }

    /** (columns, columnBlock) pairs: odd lengths, partial last blocks, blocks not a multiple of the vector length. */
    private static final int[][] ROW_SHAPES = {
        {1, 128}, {7, 128}, {17, 128}, {100, 128}, {128, 128}, {129, 128}, {192, 128}, {255, 128}, {385, 128},
        {192, 32}, {200, 48}, {301, 100}, {97, 7}, {64, 200},
    };

    @Test
    void dotOfAnFp8RowEqualsTheDequantizedReferenceForOddLengthsPartialBlocksAndOffsets() {
        var random = new Random(8);
        for (int[] shape : ROW_SHAPES) {
            int n = shape[0];
            int block = shape[1];
            int blocks = (int) BlockScales.blocksFor(n, block);
            int rows = 5;
            long base = 3; // rows start at odd byte offsets
            var w = randomFp8(base + (long) rows * n, random);
            var scales = randomScales(rows * blocks + 2, random);
            int xOffset = 5;
            var x = RandomWeights.gaussian(n + xOffset, random);
            var values = new float[n];
            for (int r = 0; r < rows; r++) {
                long offset = base + (long) r * n;
                int scaleOffset = 2 + r * blocks;
                float expected = ScalarDot.dotFp8(w, offset, x, xOffset, n, scales, scaleOffset, block);
                float actual = VectorDot.dotFp8(w, offset, x, xOffset, n, scales, scaleOffset, block);
                Dequantize.fp8Row(w, offset, n, scales, scaleOffset, block, values, 0);
                double exact = 0;
                double magnitude = 0;
                for (int c = 0; c < n; c++) {
                    exact += (double) values[c] * x[xOffset + c];
                    magnitude += Math.abs(values[c] * x[xOffset + c]);
                }
                var what = "n=" + n + " block=" + block + " row=" + r;
                assertEquals(exact, expected, 1e-5 * magnitude + 1e-9, what + " (reference)");
                assertEquals(expected, actual, 1e-5 * magnitude + 1e-9, what);
            }
        }
    }

    @Test
    void eachColumnBlockTakesItsOwnScale() {
        // Ones times ones: the dot of a row is Σ_j scale_j · (columns in block j), exactly.
        int n = 192;
        var w = Arena.ofAuto().allocate(n);
        for (int c = 0; c < n; c++) w.set(ValueLayout.JAVA_BYTE, c, (byte) 0x38); // 1.0
        var x = new float[n];
        java.util.Arrays.fill(x, 1f);
        var scales = new float[] {99f, 0.5f, 0.25f};
        assertEquals(128 * 0.5f + 64 * 0.25f, VectorDot.dotFp8(w, 0, x, 0, n, scales, 1, 128));
        var four = new float[4];
        VectorDot.dot4Fp8(w, 0, 0, x, 0, n, scales, 1, 0, 1, 1, 128, four, 0, 1);
        assertArrayEquals(new float[] {80f, 128 * 99f + 64 * 0.5f, 80f, 80f}, four);
    }

    @Test
    void fourFp8RowsAtOnceEqualFourSingleDotsAcrossBlockRows() {
        var random = new Random(9);
        for (int[] shape : ROW_SHAPES) {
            int n = shape[0];
            int block = shape[1];
            int rowBlock = 3; // rows a quarter apart fall in different block rows
            int rows = 13;
            int blocks = (int) BlockScales.blocksFor(n, block);
            var s = new BlockScales(rowBlock, block, (int) BlockScales.blocksFor(rows, rowBlock), blocks,
                    randomScales((int) BlockScales.blocksFor(rows, rowBlock) * blocks, random));
            var w = randomFp8(1 + (long) rows * n, random);
            var x = RandomWeights.gaussian(n + 2, random);
            var out = new float[12];
            // rows 1, 4, 7, 10 (stride 3) into out[2], out[4], out[6], out[8]
            VectorDot.dot4Fp8(w, 1 + n, 3L * n, x, 2, n, s.values(), s.rowOffset(1), s.rowOffset(4), s.rowOffset(7),
                    s.rowOffset(10), block, out, 2, 2);
            for (int k = 0; k < 4; k++) {
                int r = 1 + 3 * k;
                float expected = VectorDot.dotFp8(w, 1 + (long) r * n, x, 2, n, s.values(), s.rowOffset(r), block);
                assertEquals(expected, out[2 + 2 * k], 1e-4 * (1 + Math.abs(expected)), "n=" + n + " block=" + block + " row " + r);
            }
            assertEquals(0f, out[3]);
        }
    }

    @Test
    void vectorRowDecodeIsBitIdenticalToTheReference() {
        var random = new Random(10);
        for (int[] shape : ROW_SHAPES) {
            int n = shape[0];
            int block = shape[1];
            int blocks = (int) BlockScales.blocksFor(n, block);
            var w = randomFp8(7L + n, random);
            var scales = randomScales(blocks + 1, random);
            var expected = new float[n + 3];
            var actual = new float[n + 3];
            Dequantize.fp8Row(w, 7, n, scales, 1, block, expected, 3);
            VectorDequantize.fp8Row(w, 7, n, scales, 1, block, actual, 3);
            assertArrayEquals(expected, actual, "n=" + n + " block=" + block);
        }
    }

    @Test
    void tiledProductOfFp8RowsMatchesTheDequantizedRowsForOddRowRangesAndBatches() {
        var random = new Random(11);
        int rows = 96;
        for (int[] blockSize : new int[][] {{128, 128}, {5, 48}}) {
            for (int columns : new int[] {192, 33}) {
                int rb = blockSize[0];
                int cb = blockSize[1];
                var s = new BlockScales(rb, cb, (int) BlockScales.blocksFor(rows, rb), (int) BlockScales.blocksFor(columns, cb),
                        randomScales((int) (BlockScales.blocksFor(rows, rb) * BlockScales.blocksFor(columns, cb)), random));
                var t = new Tensor("w", GgmlType.FP8_E4M3, new long[] {rows, columns}, randomFp8((long) rows * columns, random), s);
                var scratch = new float[MatMul.scratchSize(columns)];
                for (int batch : new int[] {1, 2, 5, 9}) {
                    var x = RandomWeights.gaussian(batch * columns, random);
                    var out = new float[batch * rows];
                    // Splits that are not multiples of the row tile, as threads would make.
                    MatMul.rows(GgmlType.FP8_E4M3, t.data(), s, columns, columns, rows, 0, 38, x, batch, out, scratch);
                    MatMul.rows(GgmlType.FP8_E4M3, t.data(), s, columns, columns, rows, 38, rows, x, batch, out, scratch);
                    var row = new float[columns];
                    for (int r = 0; r < rows; r++) {
                        Dequantize.row(t, r, row, 0);
                        for (int b = 0; b < batch; b++) {
                            double expected = 0;
                            double magnitude = 0;
                            for (int c = 0; c < columns; c++) {
                                expected += (double) row[c] * x[b * columns + c];
                                magnitude += Math.abs(row[c] * x[b * columns + c]);
                            }
                            assertEquals(expected, out[b * rows + r], 1e-5 * magnitude + 1e-9,
                                    "block " + rb + "x" + cb + " columns=" + columns + " batch=" + batch + " row=" + r);
                        }
                    }
                }
            }
        }
    }

    @Test
    void aRowOfATensorTakesItsBlockRowsScales() {
        var random = new Random(12);
        int rows = 7;
        int columns = 10;
        var s = new BlockScales(3, 4, 3, 3, randomScales(9, random));
        var t = new Tensor("w", GgmlType.FP8_E4M3, new long[] {rows, columns}, randomFp8((long) rows * columns, random), s);
        var row = new float[columns];
        var x = RandomWeights.gaussian(columns, random);
        for (int r = 0; r < rows; r++) {
            Dequantize.row(t, r, row, 0);
            double dot = 0;
            for (int c = 0; c < columns; c++) {
                float expected = (float) (e4m3(t.data().get(ValueLayout.JAVA_BYTE, (long) r * columns + c) & 0xff)
                        * s.values()[(r / 3) * 3 + c / 4]);
                assertEquals(expected, row[c], "row " + r + " column " + c);
                dot += (double) row[c] * x[c];
            }
            assertEquals(dot, VectorDot.dot(t, r, x, 0), 1e-5, "row " + r);
        }
    }

    @Test
    void theTypeOnlyEntryPointsRefuseFp8BecauseTheyHaveNoScales() {
        var w = randomFp8(64, new Random(1));
        var x = new float[64];
        var e = assertThrows(IllegalArgumentException.class, () -> VectorDot.dot(GgmlType.FP8_E4M3, w, 0, x, 0, 64));
        assertTrue(e.getMessage().contains("block scales"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dequantize.values(GgmlType.FP8_E4M3, w, 0, x, 0, 64));
        assertThrows(IllegalArgumentException.class, () -> VectorDequantize.values(GgmlType.FP8_E4M3, w, 0, x, 0, 64));
        assertThrows(IllegalArgumentException.class,
                () -> VectorDot.dot4(GgmlType.FP8_E4M3, w, 0, 0, x, 0, 64, null, null, new float[4], 0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> MatMul.rows(GgmlType.FP8_E4M3, w, null, 64, 64, 1, 0, 1, x, 2, new float[2], new float[256]));
        var unscaled = new Tensor("model.layers.0.mlp.up_proj.weight", GgmlType.FP8_E4M3, new long[] {1, 64}, w);
        e = assertThrows(IllegalArgumentException.class, () -> Dequantize.row(unscaled, 0, x, 0));
        assertTrue(e.getMessage().contains("model.layers.0.mlp.up_proj.weight"), e.getMessage());
    }
}
