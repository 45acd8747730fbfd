package ai.appliance.runtime.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TensorEncodingTest {
    @TempDir
    Path dir;

    private static Tensor gaussian(String name, long seed, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        var random = new Random(seed);
        var bytes = ByteBuffer.allocate((int) (4 * n)).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) bytes.putFloat((float) random.nextGaussian() * 0.02f);
        return new Tensor(name, GgmlType.F32, shape, MemorySegment.ofArray(bytes.array()));
    }

    @Test
    void vectorsStayF32AndRowsTheBlocksDoNotDivideFallBack() {
        for (var wanted : List.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K)) {
            assertEquals(GgmlType.F32, TensorEncoding.targetFor(wanted, new long[] {2048}), wanted + " vector");
            assertEquals(wanted, TensorEncoding.targetFor(wanted, new long[] {64, 2048}), wanted + " matrix");
            assertEquals(wanted == GgmlType.F32 ? GgmlType.F32 : GgmlType.F16,
                    TensorEncoding.targetFor(wanted, new long[] {64, 100}), wanted + " rows of 100");
        }
        // DeepSeek-V2-Lite's experts are 1408 wide: 11 blocks of 128, not 256.
        assertEquals(GgmlType.Q4_0, TensorEncoding.targetFor(GgmlType.Q4_K, new long[] {64, 2048, 1408}));
        assertEquals(GgmlType.Q4_K, TensorEncoding.targetFor(GgmlType.Q4_K, new long[] {64, 1408, 2048}));
        assertEquals(GgmlType.Q8_0, TensorEncoding.targetFor(GgmlType.Q8_0, new long[] {2048, 1408}));
        assertEquals(GgmlType.Q8_0, TensorEncoding.q8Target(gaussian("w", 0, 2, 32)));
        assertEquals(GgmlType.F16, TensorEncoding.q8Target(gaussian("w", 0, 2, 48)));
        assertThrows(IllegalArgumentException.class, () -> TensorEncoding.targetFor(GgmlType.Q6_K, new long[] {2, 256}), "no Q6_K encoder");
        assertThrows(IllegalArgumentException.class, () -> TensorEncoding.targetFor(GgmlType.BF16, new long[] {2, 256}));
    }

    /** The encoder's bytes for one row. */
    private static byte[] encoded(GgmlType type, float[] row) {
        var out = ByteBuffer.allocate((int) type.bytesFor(row.length)).order(ByteOrder.LITTLE_ENDIAN);
        TensorEncoding.encode(type, row, 0, row.length, out);
        return out.array();
    }

    private static void assertRowsEncode(RowSource source, Tensor written) {
        assertArrayEquals(source.shape(), written.shape(), written.name());
        var row = new float[source.columns()];
        long rowBytes = written.type().bytesFor(source.columns());
        for (long r = 0; r < source.rows(); r++) {
            source.read(r, row);
            var bytes = written.data().asSlice(r * rowBytes, rowBytes).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
            assertArrayEquals(encoded(written.type(), row), bytes, written.name() + " row " + r);
        }
    }

    @Test
    void ggufOfQ4KStackedAndSplitTensorsReadsBack() throws Exception {
        var experts = new ArrayList<Tensor>();
        for (int e = 0; e < 4; e++) experts.add(gaussian("experts." + e + ".gate_proj.weight", e, 3, 512));
        var downs = new ArrayList<Tensor>();
        for (int e = 0; e < 4; e++) downs.add(gaussian("experts." + e + ".down_proj.weight", 10 + e, 512, 1408));
        var kvB = gaussian("kv_b_proj.weight", 20, 2 * (128 + 64), 256);
        var norm = gaussian("norm.weight", 30, 512);
        var attn = gaussian("q_proj.weight", 40, 4, 256);

        var gate = RowSource.stack(experts);
        var down = RowSource.stack(downs);
        var kB = RowSource.headSlice(kvB, 2, 0, 128, true);
        var vB = RowSource.headSlice(kvB, 2, 128, 192, false);
        var writer = new GgufWriter();
        writer.putString("general.architecture", "test");
        TensorEncoding.add(writer, "ffn_gate_exps.weight", gate, TensorEncoding.targetFor(GgmlType.Q4_K, gate.shape()));
        TensorEncoding.add(writer, "ffn_down_exps.weight", down, TensorEncoding.targetFor(GgmlType.Q4_K, down.shape()));
        TensorEncoding.add(writer, "attn_k_b.weight", kB, TensorEncoding.targetFor(GgmlType.Q4_K, kB.shape()));
        TensorEncoding.add(writer, "attn_v_b.weight", vB, TensorEncoding.targetFor(GgmlType.Q4_K, vB.shape()));
        TensorEncoding.add(writer, "norm.weight", norm, TensorEncoding.targetFor(GgmlType.Q4_K, norm.shape()), r -> r);
        TensorEncoding.add(writer, "attn_q.weight", attn, GgmlType.Q8_0, r -> 3 - r);
        var file = dir.resolve("q4k.gguf");
        writer.write(file, bytes -> { });

        try (var gguf = GgufFile.open(file)) {
            assertEquals(List.of("ffn_gate_exps.weight", "ffn_down_exps.weight", "attn_k_b.weight", "attn_v_b.weight", "norm.weight", "attn_q.weight"),
                    List.copyOf(gguf.tensors().keySet()));
            var g = gguf.tensor("ffn_gate_exps.weight");
            assertEquals(GgmlType.Q4_K, g.type());
            assertArrayEquals(new long[] {4, 3, 512}, g.shape());
            assertRowsEncode(gate, g);
            var d = gguf.tensor("ffn_down_exps.weight");
            assertEquals(GgmlType.Q4_0, d.type(), "1408-wide rows fall back");
            assertArrayEquals(new long[] {4, 512, 1408}, d.shape());
            assertRowsEncode(down, d);
            var k = gguf.tensor("attn_k_b.weight");
            assertEquals(GgmlType.Q4_0, k.type(), "rows of qk_nope = 128 are half a Q4_K block");
            assertArrayEquals(new long[] {2, 256, 128}, k.shape());
            assertRowsEncode(kB, k);
            var v = gguf.tensor("attn_v_b.weight");
            assertEquals(GgmlType.Q4_K, v.type());
            assertArrayEquals(new long[] {2, 64, 256}, v.shape());
            assertRowsEncode(vB, v);
            assertEquals(GgmlType.F32, gguf.tensor("norm.weight").type());
            assertRowsEncode(RowSource.of(norm), gguf.tensor("norm.weight"));
            assertRowsEncode(RowSource.of(attn).withRowOrder(r -> 3 - r), gguf.tensor("attn_q.weight"));

            // Decoded, the Q4_K tensor is near the floats it came from.
            var decoded = new float[512];
            var original = new float[512];
            for (long r = 0; r < gate.rows(); r++) {
                Dequantize.row(g, r, decoded, 0);
                gate.read(r, original);
                for (int c = 0; c < 512; c++) assertEquals(original[c], decoded[c], 0.02f, "row " + r + " column " + c);
            }
        }
    }

    @Test
    void rowsEncodedInParallelBatchesAreTheRowsEncodedOneByOne() throws Exception {
        // 4200 rows of 256 are more than one batch of 2^20 values.
        var big = gaussian("w", 5, 4200, 256);
        var writer = new GgufWriter();
        TensorEncoding.add(writer, "w", RowSource.of(big), GgmlType.Q4_K);
        var file = dir.resolve("big.gguf");
        writer.write(file, bytes -> { });
        try (var gguf = GgufFile.open(file)) {
            assertRowsEncode(RowSource.of(big), gguf.tensor("w"));
        }
    }

    @Test
    void refusesATypeWhoseBlocksDoNotDivideTheRows() {
        var writer = new GgufWriter();
        var source = RowSource.of(gaussian("w", 0, 2, 1408));
        var e = assertThrows(IllegalArgumentException.class, () -> TensorEncoding.add(writer, "w", source, GgmlType.Q4_K));
        assertEquals(true, e.getMessage().contains("targetFor"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TensorEncoding.add(writer, "w", source, GgmlType.Q6_K));
        assertEquals(0, writer.tensors().size());
    }
}
