package ai.appliance.runtime.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DeepSeek-V3/R1's FP8 checkpoint format: F8_E4M3 weights with their {@code _scale_inv} block scales. */
class Fp8CheckpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String Q_A = "model.layers.0.self_attn.q_a_proj.weight";
    private static final String FP8_CONFIG = """
            {"model_type": "deepseek_v3", "quantization_config": {"activation_scheme": "dynamic", "fmt": "e4m3",
             "quant_method": "fp8", "weight_block_size": [%d, %d]}}""";

    /** e4m3fn as defined, in double arithmetic. */
    private static double e4m3(int b) {
        int exponent = (b >> 3) & 0xf;
        int mantissa = b & 7;
        double magnitude = exponent == 0 ? mantissa * Math.pow(2, -9) : (8 + mantissa) * Math.pow(2, exponent - 10);
        return (b & 0x80) != 0 ? -magnitude : magnitude;
    }

    @Test
    void theFixturesQaProjIsFp8WithItsScalesAttachedAndRowsDequantizeAsFp8TimesScale() throws IOException {
        var folder = Fixtures.model("tiny-deepseek-v3-fp8");
        assertEquals(new Fp8BlockQuantization(128, 128), Fp8BlockQuantization.read(folder));
        // The fixture's bytes read here without the runtime: header, the weight's bytes, the F32 scales.
        var file = Files.readAllBytes(folder.resolve("model.safetensors"));
        var buffer = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int headerLength = (int) buffer.getLong(0);
        var header = JSON.readTree(new String(file, 8, headerLength, StandardCharsets.UTF_8));
        var weightEntry = header.get(Q_A);
        var scaleEntry = header.get(Q_A + "_scale_inv");
        assertEquals("F8_E4M3", weightEntry.get("dtype").asText());
        assertEquals("F32", scaleEntry.get("dtype").asText());
        int weightStart = 8 + headerLength + weightEntry.get("data_offsets").get(0).asInt();
        int scaleStart = 8 + headerLength + scaleEntry.get("data_offsets").get(0).asInt();
        float[] rawScales = {buffer.getFloat(scaleStart), buffer.getFloat(scaleStart + 4)};

        try (var checkpoint = SafetensorsCheckpoint.open(folder)) {
            var t = checkpoint.tensor(Q_A);
            assertEquals(GgmlType.FP8_E4M3, t.type());
            assertArrayEquals(new long[] {96, 192}, t.shape());
            var s = t.requireScales();
            assertEquals(128, s.rowBlock());
            assertEquals(128, s.columnBlock());
            assertEquals(1, s.blockRows());
            assertEquals(2, s.blockColumns());
            assertArrayEquals(rawScales, s.values());
            assertEquals(new Fp8BlockQuantization(128, 128), checkpoint.blockQuantization());
            var row = new float[192];
            for (int r : new int[] {0, 1, 47, 95}) {
                Dequantize.row(t, r, row, 0);
                for (int c = 0; c < 192; c++) {
                    float expected = (float) (e4m3(file[weightStart + r * 192 + c] & 0xff) * rawScales[c / 128]);
                    assertEquals(expected, row[c], "row " + r + " column " + c);
                }
            }
            // Every FP8 weight carries its scales; the scale tensors are reachable but are not weights.
            int fp8 = 0;
            for (var e : checkpoint.tensors().entrySet()) {
                assertFalse(e.getKey().endsWith("_scale_inv"), e.getKey());
                if (e.getValue().type() == GgmlType.FP8_E4M3) {
                    fp8++;
                    assertNotNull(e.getValue().scales(), e.getKey());
                    assertTrue(checkpoint.blockScaleTensors().containsKey(e.getKey() + "_scale_inv"), e.getKey());
                } else {
                    assertNull(e.getValue().scales(), e.getKey());
                }
            }
            assertEquals(120, fp8);
            assertEquals(fp8, checkpoint.blockScaleTensors().size());
            assertEquals(GgmlType.BF16, checkpoint.tensor("model.embed_tokens.weight").type());
            assertEquals(GgmlType.F32, checkpoint.blockScaleTensors().get(Q_A + "_scale_inv").type());
        }
    }

    private record Entry(String name, String dtype, long[] shape, byte[] bytes) {
    }

    private static byte[] f32(float... values) {
        var b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) b.putFloat(v);
        return b.array();
    }

    private static byte[] fp8Bytes(int n) {
        var b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) (0x30 + i % 16); // 0.5 .. 1.875 in steps, and 2 .. 3.75
        return b;
    }

    private static void writeSafetensors(Path file, List<Entry> entries) throws IOException {
        var header = new LinkedHashMap<String, Object>();
        long offset = 0;
        for (var e : entries) {
            header.put(e.name(), Map.of("dtype", e.dtype(), "shape", e.shape(), "data_offsets", List.of(offset, offset + e.bytes().length)));
            offset += e.bytes().length;
        }
        var json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        var out = ByteBuffer.allocate((int) (8 + json.length + offset)).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(json.length).put(json);
        for (var e : entries) out.put(e.bytes());
        Files.write(file, out.array());
    }

    private static Path checkpoint(Path dir, String config, Entry... entries) throws IOException {
        if (config != null) Files.writeString(dir.resolve("config.json"), config);
        writeSafetensors(dir.resolve(SafetensorsCheckpoint.SINGLE_FILE), List.of(entries));
        return dir;
    }

    @Test
    void aScaleTensorOfTheWrongShapeIsRefusedNamingItAndBothShapes(@TempDir Path dir) throws IOException {
        checkpoint(dir, FP8_CONFIG.formatted(128, 128),
                new Entry("w.weight", "F8_E4M3", new long[] {96, 192}, fp8Bytes(96 * 192)),
                new Entry("w.weight_scale_inv", "F32", new long[] {1, 1}, f32(0.5f)));
        var e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir));
        var m = e.getMessage();
        assertTrue(m.contains("'w.weight_scale_inv'") && m.contains("[1, 1]") && m.contains("[1, 2]") && m.contains("[96, 192]"), m);
    }

    @Test
    void theBlockSizeComesFromTheConfigRowsFirstNotFromTheScalesShape(@TempDir Path dir) throws IOException {
        // Blocks of 32 rows x 128 columns: [96, 192] needs scales [3, 2]; [2, 3] would fit 48x64 blocks, but is refused.
        var scales = f32(1f, 2f, 3f, 4f, 5f, 6f);
        checkpoint(dir, FP8_CONFIG.formatted(32, 128),
                new Entry("w.weight", "F8_E4M3", new long[] {96, 192}, fp8Bytes(96 * 192)),
                new Entry("w.weight_scale_inv", "F32", new long[] {3, 2}, scales));
        try (var checkpoint = SafetensorsCheckpoint.open(dir)) {
            var t = checkpoint.tensor("w.weight");
            assertEquals(6f, t.requireScales().scale(95, 191));
            assertEquals(3f, t.requireScales().scale(32, 0));
            var row = new float[192];
            Dequantize.row(t, 40, row, 0);
            assertEquals((float) (e4m3(0x30 + (40 * 192 + 130) % 16) * 4), row[130]);
        }
        Files.delete(dir.resolve(SafetensorsCheckpoint.SINGLE_FILE));
        checkpoint(dir, null,
                new Entry("w.weight", "F8_E4M3", new long[] {96, 192}, fp8Bytes(96 * 192)),
                new Entry("w.weight_scale_inv", "F32", new long[] {2, 3}, scales));
        var e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir).close());
        assertTrue(e.getMessage().contains("[3, 2]"), e.getMessage());
    }

    @Test
    void bf16ScalesAreAcceptedAndTheBlockSizeCanBePassedByTheCaller(@TempDir Path dir) throws IOException {
        var bf16 = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) (Float.floatToRawIntBits(0.5f) >>> 16)).putShort((short) (Float.floatToRawIntBits(4f) >>> 16));
        checkpoint(dir, "{\"model_type\": \"deepseek_v3\"}",
                new Entry("w.weight", "F8_E4M3", new long[] {3, 10}, fp8Bytes(30)),
                new Entry("w.weight_scale_inv", "BF16", new long[] {1, 2}, bf16.array()));
        try (var checkpoint = SafetensorsCheckpoint.open(dir, new Fp8BlockQuantization(8, 8))) {
            assertArrayEquals(new float[] {0.5f, 4f}, checkpoint.tensor("w.weight").requireScales().values());
        }
        // The folder's config says nothing of FP8: opened without a block size, the FP8 weight is an error naming it.
        var e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir).close());
        assertTrue(e.getMessage().contains("'w.weight'") && e.getMessage().contains("quantization_config"), e.getMessage());
    }

    @Test
    void anFp8WeightWithoutItsScaleTensorIsRefusedNamingIt(@TempDir Path dir) throws IOException {
        checkpoint(dir, FP8_CONFIG.formatted(128, 128),
                new Entry("model.norm.weight", "F32", new long[] {4}, f32(1, 1, 1, 1)),
                new Entry("model.layers.0.mlp.up_proj.weight", "F8_E4M3", new long[] {4, 8}, fp8Bytes(32)));
        var e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir).close());
        assertTrue(e.getMessage().contains("'model.layers.0.mlp.up_proj.weight'")
                && e.getMessage().contains("model.layers.0.mlp.up_proj.weight_scale_inv"), e.getMessage());
    }

    @Test
    void e5m2AndOtherUnsupportedFp8LayoutsAreRefusedClearly(@TempDir Path dir) throws IOException {
        checkpoint(dir, FP8_CONFIG.formatted(128, 128),
                new Entry("w.weight", "F8_E5M2", new long[] {4, 8}, fp8Bytes(32)),
                new Entry("w.weight_scale_inv", "F32", new long[] {1, 1}, f32(1f)));
        var e = assertThrows(ModelFormatException.class, () -> SafetensorsCheckpoint.open(dir).close());
        assertTrue(e.getMessage().contains("'w.weight'") && e.getMessage().contains("F8_E5M2"), e.getMessage());

        var noBlockSize = JSON.readTree("{\"quantization_config\": {\"quant_method\": \"fp8\"}}");
        e = assertThrows(ModelFormatException.class, () -> Fp8BlockQuantization.fromConfig(noBlockSize, dir));
        assertTrue(e.getMessage().contains("weight_block_size"), e.getMessage());
        var badBlockSize = JSON.readTree("{\"quantization_config\": {\"quant_method\": \"fp8\", \"weight_block_size\": [128]}}");
        assertThrows(ModelFormatException.class, () -> Fp8BlockQuantization.fromConfig(badBlockSize, dir));
        var e5m2 = JSON.readTree("{\"quantization_config\": {\"quant_method\": \"fp8\", \"fmt\": \"e5m2\", \"weight_block_size\": [128, 128]}}");
        assertThrows(ModelFormatException.class, () -> Fp8BlockQuantization.fromConfig(e5m2, dir));
        assertNull(Fp8BlockQuantization.fromConfig(JSON.readTree("{\"quantization_config\": {\"quant_method\": \"gptq\"}}"), dir));
        assertNull(Fp8BlockQuantization.fromConfig(JSON.readTree("{\"model_type\": \"llama\"}"), dir));
    }

    @Test
    void scalesInAnotherShardAreAttachedAndKeptOutOfTheWeights(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("config.json"), FP8_CONFIG.formatted(2, 4));
        writeSafetensors(dir.resolve("a.safetensors"), List.of(
                new Entry("w.weight", "F8_E4M3", new long[] {3, 5}, fp8Bytes(15)),
                new Entry("v.weight_scale_inv", "F32", new long[] {1, 1}, f32(3f))));
        writeSafetensors(dir.resolve("b.safetensors"), List.of(
                new Entry("w.weight_scale_inv", "F32", new long[] {2, 2}, f32(1f, 2f, 3f, 4f)),
                new Entry("v.weight", "F8_E4M3", new long[] {1, 1}, fp8Bytes(1))));
        Files.writeString(dir.resolve(SafetensorsCheckpoint.INDEX_FILE), JSON.writeValueAsString(Map.of("weight_map", Map.of(
                "w.weight", "a.safetensors", "v.weight_scale_inv", "a.safetensors",
                "w.weight_scale_inv", "b.safetensors", "v.weight", "b.safetensors"))));
        try (var checkpoint = SafetensorsCheckpoint.open(dir)) {
            assertEquals(2, checkpoint.tensors().size());
            assertArrayEquals(new float[] {1f, 2f, 3f, 4f}, checkpoint.tensor("w.weight").requireScales().values());
            assertArrayEquals(new float[] {3f}, checkpoint.tensor("v.weight").requireScales().values());
            assertSame(checkpoint.blockScaleTensors().get("v.weight_scale_inv").type(), GgmlType.F32);
        }
    }
}
