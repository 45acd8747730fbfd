package ai.appliance.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.tensor.GgmlType;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class VectorDotTest {

    private static int[] sizes(GgmlType type) {
        int block = type.blockSize();
        if (block == 1) return new int[] {1, 3, 7, 15, 16, 17, 31, 33, 63, 100, 129, 257, 1023};
        return new int[] {block, 3 * block, 5 * block, 7 * block, 13 * block};
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, mode = EnumSource.Mode.EXCLUDE, names = "FP8_E4M3") // with block scales: Fp8KernelsTest
    void vectorDotMatchesScalarReferenceForEverySizeAndOffset(GgmlType type) {
        var random = new Random(42 + type.ordinal());
        for (int n : sizes(type)) {
            int rows = 3;
            var w = RandomWeights.of(type, (long) rows * n, random);
            int xOffset = 5;
            var x = RandomWeights.gaussian(n + xOffset, random);
            var values = new float[n];
            for (int r = 0; r < rows; r++) {
                long offset = r * type.bytesFor(n);
                float expected = ScalarDot.dot(type, w, offset, x, xOffset, n);
                float actual = VectorDot.dot(type, w, offset, x, xOffset, n);
                Dequantize.values(type, w, offset, values, 0, n);
                double magnitude = 0;
                for (int i = 0; i < n; i++) magnitude += Math.abs(values[i] * x[xOffset + i]);
                assertEquals(expected, actual, 1e-5 * magnitude + 1e-6, type + " n=" + n + " row=" + r);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, mode = EnumSource.Mode.EXCLUDE, names = "FP8_E4M3") // with block scales: Fp8KernelsTest
    void vectorDequantizationIsBitIdenticalToTheReference(GgmlType type) {
        var random = new Random(11 + type.ordinal());
        for (int n : sizes(type)) {
            var w = RandomWeights.of(type, 2L * n, random);
            var expected = new float[n + 3];
            var actual = new float[n + 3];
            Dequantize.values(type, w, type.bytesFor(n), expected, 3, n);
            VectorDequantize.values(type, w, type.bytesFor(n), actual, 3, n);
            org.junit.jupiter.api.Assertions.assertArrayEquals(expected, actual, type + " n=" + n);
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, mode = EnumSource.Mode.EXCLUDE, names = "FP8_E4M3") // with block scales: Fp8KernelsTest
    void fourRowsAtOnceEqualFourSingleDots(GgmlType type) {
        if (!VectorDot.readsFourRowsAtOnce(type)) {
            // No interleaved kernel for this type on this CPU: callers read rows in order, and dot4 says so.
            assertThrows(IllegalArgumentException.class,
                    () -> VectorDot.dot4(type, MemorySegment.NULL, 0, 0, new float[0], 0, 0, null, null, new float[4], 0, 1));
            return;
        }
        var random = new Random(21 + type.ordinal());
        int n = 3 * Math.max(32, type.blockSize());
        int rows = 9;
        long rowBytes = type.bytesFor(n);
        var w = RandomWeights.of(type, (long) rows * n, random);
        var x = RandomWeights.gaussian(n, random);
        var out = new float[12];
        // rows 1, 3, 5, 7 into out[2], out[4], out[6], out[8]
        float[] sums = null;
        if (VectorDot.needsBlockSums(type)) {
            sums = new float[n / 32];
            VectorDot.blockSums(x, 0, n, sums);
        }
        VectorDot.dot4(type, w, rowBytes, 2 * rowBytes, x, 0, n, sums, new float[VectorDot.DOT4_SCRATCH], out, 2, 2);
        for (int k = 0; k < 4; k++) {
            float expected = VectorDot.dot(type, w, (1 + 2L * k) * rowBytes, x, 0, n);
            assertEquals(expected, out[2 + 2 * k], 1e-4 * (1 + Math.abs(expected)), type + " row " + (1 + 2 * k));
        }
        assertEquals(0f, out[3]);
    }

    @Test
    void vectorPathIsActiveOnThisMachine() {
        // The build machines have AVX2 or AVX-512; without vectors every comparison above is scalar vs scalar.
        assertTrue(VectorDot.ENABLED, "preferred species " + jdk.incubator.vector.FloatVector.SPECIES_PREFERRED);
    }

    @Test
    void everyFiniteHalfDecodesExactly() {
        // All 2^16 bit patterns but infinities and NaNs: zeros of both signs, subnormals, normals.
        int n = 1 << 16;
        var halves = java.lang.foreign.Arena.ofAuto().allocate(2L * n);
        for (int h = 0; h < n; h++) halves.set(Dequantize.I16, 2L * h, (short) h); // little-endian, as GGUF stores them
        var decoded = new float[VectorDot.L];
        for (int h = 0; h < n; h += VectorDot.L) {
            VectorDot.halfs(halves, 2L * h).intoArray(decoded, 0);
            for (int k = 0; k < VectorDot.L; k++) {
                short bits = (short) (h + k);
                if (((bits >> 10) & 0x1f) == 0x1f) continue; // infinity or NaN
                assertEquals(Float.floatToRawIntBits(Float.float16ToFloat(bits)), Float.floatToRawIntBits(decoded[k]),
                        "half 0x" + Integer.toHexString(bits & 0xffff));
            }
        }
    }

    @Test
    void f16RowsTimesAnActivationScaledBy2To112GiveExactlyTheUnscaledProducts() {
        var random = new Random(5);
        int n = 4 * VectorDot.L * 3;
        long rowBytes = GgmlType.F16.bytesFor(n);
        var w = RandomWeights.of(GgmlType.F16, 9L * n, random);
        var x = RandomWeights.gaussian(n, random);
        x[1] = 1e-40f; // subnormal activations scale exactly too
        x[2] = 16000f;
        var scaled = new float[n];
        assertTrue(VectorDot.scaleForHalves(x, n, scaled));
        var expected = new float[12];
        var actual = new float[12];
        VectorDot.dot4(GgmlType.F16, w, rowBytes, 2 * rowBytes, x, 0, n, null, new float[VectorDot.DOT4_SCRATCH], expected, 2, 2);
        VectorDot.dot4HalvesScaled(w, rowBytes, 2 * rowBytes, scaled, n, actual, 2, 2);
        // Equal up to the order of the final lane reduction: the two methods may run at different JIT tiers within
        // one test run (the interpreter's fallback reduces lanes in another order than C2's intrinsic).
        for (int i = 0; i < expected.length; i++) {
            float ulps = Math.abs(expected[i] - actual[i]) / Math.ulp(Math.max(Math.abs(expected[i]), Math.abs(actual[i])));
            assertTrue(ulps <= 4, "product " + i + ": " + expected[i] + " against " + actual[i]);
        }
    }

    @Test
    void activationsThatCouldOverflowWhenScaledAreLeftToTheOrdinaryKernel() {
        int n = 2 * VectorDot.L;
        var x = new float[n];
        var scaled = new float[n];
        x[3] = 16384f;
        assertFalse(VectorDot.scaleForHalves(x, n, scaled));
        x[3] = Float.NaN;
        assertFalse(VectorDot.scaleForHalves(x, n, scaled));
        assertFalse(VectorDot.scaleForHalves(new float[n + 1], n + 1, new float[n + 1]), "not a whole number of vectors");
    }

    @Test
    void floatArrayDotAndAxpyMatchPlainLoops() {
        var random = new Random(7);
        for (int n : new int[] {1, 5, 16, 31, 32, 33, 77, 128}) {
            var a = RandomWeights.gaussian(n + 3, random);
            var b = RandomWeights.gaussian(n + 2, random);
            double expected = 0;
            for (int i = 0; i < n; i++) expected += a[3 + i] * b[2 + i];
            assertEquals(expected, VectorDot.dot(a, 3, b, 2, n), 1e-4 * n);
            var y = b.clone();
            VectorDot.axpy(0.5f, a, 3, y, 2, n);
            for (int i = 0; i < n; i++) assertEquals(b[2 + i] + 0.5f * a[3 + i], y[2 + i], 1e-6);
            assertEquals(b[0], y[0]);
            assertEquals(b[1], y[1]);
        }
    }
}
