package ai.appliance.runtime.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.kernels.KernelWarmup;
import ai.appliance.runtime.kernels.RandomWeights;
import ai.appliance.runtime.tensor.BlockScales;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The CPU backend on FP8 E4M3 weights with block scales, against the same weights dequantized to F32. */
class CpuBackendFp8Test {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static Tensor fp8(String name, int rows, int columns, int rowBlock, int columnBlock, Random random) {
        var data = Arena.ofAuto().allocate((long) rows * columns);
        for (long i = 0; i < data.byteSize(); i++) {
            int b = random.nextInt(256);
            if ((b & 0x7f) == 0x7f) b--; // no NaN encodings
            data.set(ValueLayout.JAVA_BYTE, i, (byte) b);
        }
        int blockRows = (int) BlockScales.blocksFor(rows, rowBlock);
        int blockColumns = (int) BlockScales.blocksFor(columns, columnBlock);
        var scales = new float[blockRows * blockColumns];
        for (int i = 0; i < scales.length; i++) scales[i] = (float) (1e-4 + random.nextDouble() * 1e-3);
        return new Tensor(name, GgmlType.FP8_E4M3, new long[] {rows, columns}, data,
                new BlockScales(rowBlock, columnBlock, blockRows, blockColumns, scales));
    }

    /** The same matrix as F32: every value fp8 × its block's scale. */
    private static Tensor dequantized(Tensor t) {
        int rows = (int) t.rowCount();
        int columns = (int) t.rowLength();
        var data = Arena.ofAuto().allocate(4L * rows * columns);
        var row = new float[columns];
        for (int r = 0; r < rows; r++) {
            Dequantize.row(t, r, row, 0);
            MemorySegment.copy(row, 0, data, F32, 4L * r * columns, columns);
        }
        return new Tensor(t.name() + ".f32", GgmlType.F32, t.shape(), data);
    }

    @Test
    void matmulOfAnFp8TensorEqualsTheF32MatmulOfItsDequantizedValues() {
        var random = new Random(31);
        // [96, 192] as DeepSeek's q_a_proj (one partial block row, a partial last column block), a taller one
        // with a partial last block row, and small blocks so that every thread's chunk crosses block rows.
        var weights = List.of(fp8("q_a", 96, 192, 128, 128, random), fp8("tall", 300, 200, 128, 128, random),
                fp8("small", 61, 77, 5, 16, random));
        try (var backend = new CpuBackend(2)) {
            for (var w : weights) {
                var reference = dequantized(w);
                int rows = (int) w.rowCount();
                int columns = (int) w.rowLength();
                for (int batch : new int[] {1, 3, 5}) {
                    var x = RandomWeights.gaussian(batch * columns, random);
                    var expected = new float[batch * rows];
                    var actual = new float[batch * rows];
                    backend.matmul(reference, x, batch, expected);
                    backend.matmul(w, x, batch, actual);
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(expected[i], actual[i], 1e-5 * (1 + Math.abs(expected[i])) + 2e-5,
                                w.name() + " batch=" + batch + " out[" + i + "]");
                    }
                }
            }
        }
    }

    @Test
    void oneMatmulsStepOverFp8AndOtherTypesEqualsSeparateProducts() {
        var random = new Random(32);
        int columns = 256;
        var weights = new Tensor[] {
            fp8("a", 40, columns, 128, 128, random),
            new Tensor("q8", GgmlType.Q8_0, new long[] {24, columns}, RandomWeights.of(GgmlType.Q8_0, 24L * columns, random)),
            fp8("b", 130, columns, 128, 128, random),
        };
        var x = RandomWeights.gaussian(columns, random);
        var outs = new float[weights.length][];
        for (int i = 0; i < weights.length; i++) outs[i] = new float[(int) weights[i].rowCount()];
        try (var backend = new CpuBackend(2)) {
            backend.matmuls(weights, x, 1, outs);
            for (int i = 0; i < weights.length; i++) {
                var single = new float[outs[i].length];
                backend.matmul(weights[i], x, 1, single);
                // Equal up to the lane-reduction order of a kernel met at two JIT tiers (interpreter and C2).
                for (int r = 0; r < single.length; r++) {
                    float ulps = Math.abs(single[r] - outs[i][r]) / Math.ulp(Math.max(Math.abs(single[r]), Math.abs(outs[i][r])));
                    org.junit.jupiter.api.Assertions.assertTrue(ulps <= 4, weights[i].name() + " row " + r + ": " + single[r] + " against " + outs[i][r]);
                }
            }
        }
    }

    @Test
    void gatherRowDequantizesAnFp8RowWithItsBlockRowsScales() {
        var random = new Random(33);
        var table = fp8("embed", 10, 40, 4, 16, random);
        var out = new float[45];
        var expected = new float[40];
        try (var backend = new CpuBackend(1)) {
            for (int r : new int[] {0, 3, 4, 9}) {
                backend.gatherRow(table, r, out, 5);
                for (int c = 0; c < 40; c++) {
                    expected[c] = Dequantize.fp8(table.data().get(ValueLayout.JAVA_BYTE, r * 40L + c)) * table.scales().scale(r, c);
                }
                assertArrayEquals(expected, java.util.Arrays.copyOfRange(out, 5, 45), "row " + r);
            }
        }
    }

    @Test
    void anFp8TensorWithoutBlockScalesIsRefusedNamingIt() {
        var t = new Tensor("model.layers.0.self_attn.q_a_proj.weight", GgmlType.FP8_E4M3, new long[] {4, 32},
                Arena.ofAuto().allocate(128));
        try (var backend = new CpuBackend(1)) {
            var e = assertThrows(IllegalArgumentException.class, () -> backend.matmul(t, new float[32], 1, new float[4]));
            assertTrue(e.getMessage().contains("model.layers.0.self_attn.q_a_proj.weight"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> backend.gatherRow(t, 0, new float[32], 0));
        }
    }

    @Test
    void kernelWarmupRunsTheFp8KernelsOnTheTensorsOwnScales() {
        var random = new Random(34);
        KernelWarmup.decodeKernels(List.of(fp8("w", 16, 192, 128, 128, random)));
    }
}
