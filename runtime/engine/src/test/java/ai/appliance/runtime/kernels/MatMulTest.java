package ai.appliance.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.appliance.runtime.tensor.GgmlType;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class MatMulTest {

    private static int[] columnCounts(GgmlType type) {
        int block = type.blockSize();
        if (block == 1) return new int[] {1, 15, 16, 17, 33, 100};
        return new int[] {block, 3 * block};
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, mode = EnumSource.Mode.EXCLUDE, names = "FP8_E4M3") // with block scales: Fp8KernelsTest
    void tiledProductMatchesDotProductsForOddRowRangesAndBatches(GgmlType type) {
        var random = new Random(5 + type.ordinal());
        for (int columns : columnCounts(type)) {
            int rows = 11;
            long rowBytes = type.bytesFor(columns);
            var w = RandomWeights.of(type, (long) rows * columns, random);
            var scratch = new float[MatMul.scratchSize(columns)];
            for (int batch : new int[] {1, 2, 3, 4, 5, 9}) {
                var x = RandomWeights.gaussian(batch * columns, random);
                var out = new float[batch * rows];
                // Two calls over a split that is not a multiple of the row tile, as two threads would make.
                MatMul.rows(type, w, rowBytes, columns, rows, 0, 6, x, batch, out, scratch);
                MatMul.rows(type, w, rowBytes, columns, rows, 6, rows, x, batch, out, scratch);
                var row = new float[columns];
                for (int r = 0; r < rows; r++) {
                    Dequantize.values(type, w, r * rowBytes, row, 0, columns);
                    for (int b = 0; b < batch; b++) {
                        double expected = 0;
                        double magnitude = 0;
                        for (int c = 0; c < columns; c++) {
                            expected += (double) row[c] * x[b * columns + c];
                            magnitude += Math.abs(row[c] * x[b * columns + c]);
                        }
                        assertEquals(expected, out[b * rows + r], 1e-5 * magnitude + 1e-6,
                                type + " columns=" + columns + " batch=" + batch + " row=" + r);
                    }
                }
            }
        }
    }
}
