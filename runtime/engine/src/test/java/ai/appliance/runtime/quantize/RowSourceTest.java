package ai.appliance.runtime.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

class RowSourceTest {
    /** An F32 tensor whose element (r, c) of its rows is {@code 1000·tag + 10·r + c}. */
    static Tensor numbered(String name, int tag, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        long cols = shape[shape.length - 1];
        var bytes = ByteBuffer.allocate((int) (4 * n)).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) bytes.putFloat(1000 * tag + 10 * (i / cols) + i % cols);
        return new Tensor(name, GgmlType.F32, shape, MemorySegment.ofArray(bytes.array()));
    }

    private static float[] row(RowSource source, long r) {
        var out = new float[source.columns()];
        source.read(r, out);
        return out;
    }

    @Test
    void aTensorsRowsInItsShape() {
        var source = RowSource.of(numbered("w", 0, 2, 3, 4));
        assertArrayEquals(new long[] {2, 3, 4}, source.shape());
        assertEquals(6, source.rows());
        assertEquals(4, source.columns());
        assertArrayEquals(new float[] {50, 51, 52, 53}, row(source, 5));
        assertArrayEquals(new float[] {10, 11, 12, 13}, row(source.withRowOrder(r -> 1 - r), 0));
        assertThrows(IllegalArgumentException.class,
                () -> RowSource.of(new Tensor("q", GgmlType.Q8_0, new long[] {1, 32}, MemorySegment.ofArray(new byte[34]))));
    }

    @Test
    void stackedTensorsAreTheOutermostDimensionInListOrder() {
        var experts = List.of(numbered("e0", 0, 2, 4), numbered("e1", 1, 2, 4), numbered("e2", 2, 2, 4));
        var source = RowSource.stack(experts);
        assertArrayEquals(new long[] {3, 2, 4}, source.shape(), "[experts, rows, columns]");
        assertEquals(6, source.rows());
        assertArrayEquals(new float[] {0, 1, 2, 3}, row(source, 0));
        assertArrayEquals(new float[] {1010, 1011, 1012, 1013}, row(source, 3), "expert 1, row 1");
        assertArrayEquals(new float[] {2000, 2001, 2002, 2003}, row(source, 4), "expert 2, row 0");
        assertThrows(IllegalArgumentException.class, () -> RowSource.stack(List.of(numbered("a", 0, 2, 4), numbered("b", 0, 4, 2))));
        assertThrows(IllegalArgumentException.class, () -> RowSource.stack(List.of()));
    }

    // DeepSeek MLA kv_b_proj of 2 heads, qk_nope 3, v_head 2, kv_lora_rank 4: rows are head-major blocks of 3 + 2.
    private static final int HEADS = 2;
    private static final int NOPE = 3;
    private static final int V = 2;
    private static final int RANK = 4;

    @Test
    void valueHalfOfKvBIsEachHeadsLastRows() {
        var kvB = numbered("kv_b", 0, HEADS * (NOPE + V), RANK);
        var vB = RowSource.headSlice(kvB, HEADS, NOPE, NOPE + V, false);
        assertArrayEquals(new long[] {HEADS, V, RANK}, vB.shape());
        for (int h = 0; h < HEADS; h++) {
            for (int i = 0; i < V; i++) {
                int sourceRow = h * (NOPE + V) + NOPE + i; // kv_b.view(heads, nope + v, rank)[h, nope + i]
                var expected = new float[RANK];
                for (int c = 0; c < RANK; c++) expected[c] = 10 * sourceRow + c;
                assertArrayEquals(expected, row(vB, (long) h * V + i), "head " + h + " row " + i);
            }
        }
    }

    @Test
    void keyHalfOfKvBIsEachHeadsFirstRowsTransposed() {
        var kvB = numbered("kv_b", 0, HEADS * (NOPE + V), RANK);
        var kB = RowSource.headSlice(kvB, HEADS, 0, NOPE, true);
        assertArrayEquals(new long[] {HEADS, RANK, NOPE}, kB.shape(), "k_b.transpose(1, 2): [heads, kv_lora_rank, qk_nope]");
        // k_b[h][c][i] = kv_b[h·(nope + v) + i][c]; read heads out of order so that the cached block is replaced.
        for (int h : new int[] {1, 0, 1}) {
            for (int c = 0; c < RANK; c++) {
                var expected = new float[NOPE];
                for (int i = 0; i < NOPE; i++) expected[i] = 10 * (h * (NOPE + V) + i) + c;
                assertArrayEquals(expected, row(kB, (long) h * RANK + c), "head " + h + " column " + c);
            }
        }
        assertArrayEquals(new float[] {50, 60, 70}, row(kB, RANK), "head 1 starts at kv_b row 5");
    }

    @Test
    void headSliceRefusesPartsOutsideAHead() {
        var kvB = numbered("kv_b", 0, 10, RANK);
        assertThrows(IllegalArgumentException.class, () -> RowSource.headSlice(kvB, 3, 0, 1, false), "10 rows are not 3 heads");
        assertThrows(IllegalArgumentException.class, () -> RowSource.headSlice(kvB, 2, 3, 6, false), "a head has 5 rows");
        assertThrows(IllegalArgumentException.class, () -> RowSource.headSlice(kvB, 2, 2, 2, true), "empty");
        assertThrows(IllegalArgumentException.class, () -> RowSource.headSlice(numbered("t", 0, 2, 5, 4), 2, 0, 1, false));
    }
}
