package ai.appliance.runtime.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.testing.Fixtures;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufFileTest {
    @TempDir
    Path dir;

    private Path write(GgufBytes bytes) throws IOException {
        var p = dir.resolve("t" + System.nanoTime() + ".gguf");
        Files.write(p, bytes.toByteArray());
        return p;
    }

    @Test
    void readsEveryMetadataValueTypeWithTheDocumentedJavaTypes() throws IOException {
        var b = new GgufBytes().header(3, 1, 15)
                .key("u8", GgufValueType.UINT8).u8(250)
                .key("i8", GgufValueType.INT8).u8(0xFE)
                .key("u16", GgufValueType.UINT16).u16(65000)
                .key("i16", GgufValueType.INT16).u16(-3)
                .key("u32", GgufValueType.UINT32).u32(0xFFFFFFFF)
                .key("i32", GgufValueType.INT32).u32(-7)
                .key("u64", GgufValueType.UINT64).u64(1L << 40)
                .key("i64", GgufValueType.INT64).u64(-9)
                .key("f32", GgufValueType.FLOAT32).f32(1.5f)
                .key("f64", GgufValueType.FLOAT64).f64(2.25)
                .key("bool", GgufValueType.BOOL).u8(1)
                .key("s", GgufValueType.STRING).str("héllo")
                .key("ints", GgufValueType.ARRAY).u32(GgufValueType.INT32.id()).u64(3).u32(1).u32(-2).u32(3)
                .key("strs", GgufValueType.ARRAY).u32(GgufValueType.STRING.id()).u64(2).str("a").str("b c")
                .key("nested", GgufValueType.ARRAY).u32(GgufValueType.ARRAY.id()).u64(2)
                .u32(GgufValueType.FLOAT32.id()).u64(1).f32(0.5f)
                .u32(GgufValueType.UINT8.id()).u64(2).u8(1).u8(255);
        // one F32 tensor of GGUF dims [3, 2] (innermost first) at offset 0
        b.str("w").u32(2).u64(3).u64(2).u32(GgmlType.F32.id()).u64(0).padTo(32);
        for (int i = 0; i < 6; i++) b.f32(i);
        try (var f = GgufFile.open(write(b))) {
            var m = f.metadata();
            assertEquals(250, m.get("u8"));
            assertEquals(-2, m.get("i8"));
            assertEquals(65000, m.get("u16"));
            assertEquals(-3, m.get("i16"));
            assertEquals(0xFFFFFFFFL, m.get("u32"));
            assertEquals(-7, m.get("i32"));
            assertEquals(1L << 40, m.get("u64"));
            assertEquals(-9L, m.get("i64"));
            assertEquals(1.5f, m.get("f32"));
            assertEquals(2.25, m.get("f64"));
            assertEquals(true, m.get("bool"));
            assertEquals("héllo", f.getString("s"));
            assertArrayEquals(new int[] {1, -2, 3}, f.getIntArray("ints"));
            assertEquals(List.of("a", "b c"), f.getStringList("strs"));
            var nested = assertInstanceOf(List.class, m.get("nested"));
            assertArrayEquals(new float[] {0.5f}, (float[]) nested.get(0));
            assertArrayEquals(new int[] {1, 255}, (int[]) nested.get(1));
            assertEquals(250, f.getInt("u8"));
            assertEquals(1.5, f.getDouble("f32"));
            assertEquals(7, f.getInt("absent", 7));
            assertThrows(ModelFormatException.class, () -> f.getInt("u32"), "u32 max does not fit an int");
            assertThrows(ModelFormatException.class, () -> f.getString("u8"));
            var w = f.tensor("w");
            assertArrayEquals(new long[] {2, 3}, w.shape());
            assertEquals(5f, w.data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 20));
            assertEquals(32, f.alignment());
        }
    }

    @Test
    void unknownTensorTypeNamesTheTensorAndTheId() throws IOException {
        var b = new GgufBytes().header(3, 1, 0).str("blk.0.odd").u32(1).u64(32).u32(6).u64(0).padTo(32);
        b.bytes(new byte[64]);
        var e = assertThrows(ModelFormatException.class, () -> GgufFile.open(write(b)));
        assertTrue(e.getMessage().contains("blk.0.odd") && e.getMessage().contains(" 6,"), e.getMessage());
    }

    @Test
    void absurdArrayLengthFailsBeforeAllocating() throws IOException {
        var b = new GgufBytes().header(3, 0, 1).key("big", GgufValueType.ARRAY)
                .u32(GgufValueType.FLOAT32.id()).u64(1L << 40).f32(1);
        var e = assertThrows(ModelFormatException.class, () -> GgufFile.open(write(b)));
        assertTrue(e.getMessage().contains("big"), e.getMessage());
    }

    @Test
    void implausibleLengthsInsideALargeFileFailWithoutAllocating() throws IOException {
        // A sparse 1 GiB file of zeros: 100 million empty strings would "fit", and the reader must not try.
        var strings = write(new GgufBytes().header(3, 0, 1).key("tokenizer.ggml.tokens", GgufValueType.ARRAY)
                .u32(GgufValueType.STRING.id()).u64(100_000_000L));
        var longString = write(new GgufBytes().header(3, 0, 1).key("s", GgufValueType.STRING).u64(900_000_000L));
        for (var p : List.of(strings, longString)) {
            try (var raf = new java.io.RandomAccessFile(p.toFile(), "rw")) {
                raf.setLength(1L << 30);
            }
            var e = assertThrows(ModelFormatException.class, () -> GgufFile.open(p));
            assertTrue(e.getMessage().contains("corrupt header"), e.getMessage());
        }
    }

    @Test
    void tensorPastTheEndIsReportedAsTruncation() throws IOException {
        var b = new GgufBytes().header(3, 1, 0).str("w").u32(1).u64(64).u32(GgmlType.F32.id()).u64(0).padTo(32);
        b.bytes(new byte[100]);
        var e = assertThrows(ModelFormatException.class, () -> GgufFile.open(write(b)));
        assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("past the end"), e.getMessage());
    }

    @Test
    void missingFileIsAModelFormatException() {
        var e = assertThrows(ModelFormatException.class, () -> GgufFile.open(dir.resolve("none.gguf")));
        assertTrue(e.getMessage().contains("none.gguf"));
    }

    @Test
    void honoursGeneralAlignment() throws IOException {
        var b = new GgufBytes().header(3, 1, 1).key("general.alignment", GgufValueType.UINT32).u32(64)
                .str("w").u32(1).u64(4).u32(GgmlType.F32.id()).u64(0).padTo(64);
        int data = b.size();
        b.f32(1).f32(2).f32(3).f32(4);
        try (var f = GgufFile.open(write(b))) {
            assertEquals(64, f.alignment());
            assertEquals(data, f.dataOffset());
            assertEquals(4f, f.tensor("w").data().get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 12));
        }
    }

    @Test
    void readsLlamaCppQ8GgufOfTinyLlama3() {
        try (var f = GgufFile.open(Fixtures.model("tiny-llama3").resolve("tiny-llama3-q8_0.gguf"))) {
            assertEquals(3, f.version());
            assertEquals("llama", f.getString("general.architecture"));
            assertEquals(3, f.getInt("llama.block_count"));
            assertEquals(500000.0, f.getDouble("llama.rope.freq_base"));
            assertEquals(1407, f.getStringList("tokenizer.ggml.tokens").size());
            assertEquals(1407, f.getIntArray("tokenizer.ggml.token_type").length);
            assertEquals(1401, f.getInt("tokenizer.ggml.bos_token_id"));
            var embd = f.tensor("token_embd.weight");
            assertEquals(GgmlType.Q8_0, embd.type());
            assertArrayEquals(new long[] {1407, 128}, embd.shape());
            assertEquals(1407L * 4 * 34, embd.data().byteSize());
            assertArrayEquals(new long[] {128, 384}, f.tensor("blk.0.ffn_down.weight").shape());
            assertEquals(GgmlType.F32, f.tensor("rope_freqs.weight").type());
            assertEquals(31, f.tensors().size());
        }
    }

    @Test
    void readsEveryFixtureGguf() throws IOException {
        try (var files = Files.walk(Fixtures.root())) {
            var ggufs = files.filter(p -> p.toString().endsWith(".gguf")).toList();
            assertTrue(ggufs.size() >= 9, "fixture GGUFs: " + ggufs);
            for (var p : ggufs) {
                try (var f = GgufFile.open(p)) {
                    assertTrue(f.has("general.architecture"), p.toString());
                    assertTrue(f.getStringList("tokenizer.ggml.tokens").size() > 1000, p.toString());
                }
            }
        }
    }
}
