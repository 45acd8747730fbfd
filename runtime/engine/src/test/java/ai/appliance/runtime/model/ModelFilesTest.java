package ai.appliance.runtime.model;

import ai.appliance.runtime.arch.llama.LlamaWeights;
import ai.appliance.runtime.arch.llama.LlamaConfig;
import ai.appliance.runtime.arch.llama.Llama3RopeScaling;
import ai.appliance.runtime.arch.llama.Llama3RopeFactors;
import ai.appliance.runtime.arch.llama.QueryKeyPermutation;
import ai.appliance.runtime.arch.llama.LlamaVariant;
import ai.appliance.runtime.loading.ModelFiles;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import ai.appliance.runtime.testing.Fixtures;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    private static float[] floats(Tensor t) {
        assertEquals(GgmlType.F32, t.type());
        return t.data().toArray(F32);
    }

    @Test
    void qwen2CheckpointWithV5ConfigLayout() {
        try (var m = ModelFiles.open(Fixtures.model("tiny-qwen2"))) {
            var c = (LlamaConfig) m.config();
            assertEquals(ModelFiles.Format.HF_CHECKPOINT, m.format());
            assertEquals(LlamaVariant.QWEN2, c.variant());
            assertEquals(1207, c.vocabularySize());
            assertEquals(128, c.embeddingLength());
            assertEquals(352, c.feedForwardLength());
            assertEquals(3, c.layerCount());
            assertEquals(4, c.headCount());
            assertEquals(2, c.keyValueHeadCount());
            assertEquals(32, c.headDimension());
            assertEquals(1e-6f, c.rmsNormEpsilon());
            assertEquals(10000.0, c.ropeTheta());
            assertEquals(RopeStyle.HALVES, c.ropeStyle());
            assertNull(c.ropeScaling());
            assertEquals(1024, c.contextLength());
            assertEquals(false, c.tiedEmbeddings());
            assertNotNull(((LlamaWeights) m.weights()).layers().get(2).queryBias());
            assertArrayEquals(new long[] {64}, ((LlamaWeights) m.weights()).layers().get(0).keyBias().shape());
            assertEquals(Fixtures.model("tiny-qwen2"), m.checkpointFolder());
        }
    }

    @Test
    void llamaCheckpointWithV4ConfigLayout() {
        try (var m = ModelFiles.open(Fixtures.model("tiny-llama3"))) {
            var c = (LlamaConfig) m.config();
            assertEquals(LlamaVariant.LLAMA, c.variant());
            assertEquals(500000.0, c.ropeTheta());
            assertEquals(new Llama3RopeScaling(8, 1, 4, 8192), c.ropeScaling());
            assertEquals(RopeStyle.HALVES, c.ropeStyle());
            assertEquals(1e-5f, c.rmsNormEpsilon());
            assertNull(((LlamaWeights) m.weights()).layers().get(0).queryBias());
        }
    }

    @Test
    void qwen2GgufMatchesTheCheckpointExactlyInF32() {
        var folder = Fixtures.model("tiny-qwen2");
        try (var hf = ModelFiles.open(folder); var gguf = ModelFiles.open(folder.resolve("tiny-qwen2-f32.gguf"))) {
            var a = (LlamaConfig) hf.config();
            var b = (LlamaConfig) gguf.config();
            assertEquals(RopeStyle.HALVES, b.ropeStyle());
            assertEquals(a.vocabularySize(), b.vocabularySize());
            assertEquals(a.headDimension(), b.headDimension());
            assertEquals(a.rmsNormEpsilon(), b.rmsNormEpsilon());
            assertEquals(a.ropeTheta(), b.ropeTheta());
            assertEquals(a.contextLength(), b.contextLength());
            assertNull(b.ropeFrequencyFactors());
            assertArrayEquals(floats(hf.weights().tokenEmbedding()), floats(gguf.weights().tokenEmbedding()));
            assertArrayEquals(floats(((LlamaWeights) hf.weights()).layers().get(1).query()), floats(((LlamaWeights) gguf.weights()).layers().get(1).query()));
            assertArrayEquals(floats(((LlamaWeights) hf.weights()).layers().get(1).queryBias()), floats(((LlamaWeights) gguf.weights()).layers().get(1).queryBias()));
            assertArrayEquals(floats(((LlamaWeights) hf.weights()).output()), floats(((LlamaWeights) gguf.weights()).output()));
            assertNotNull(gguf.gguf());
        }
    }

    @Test
    void llamaGgufIsAdjacentWithPermutedQueryKeyRowsAndRopeFreqs() {
        var folder = Fixtures.model("tiny-llama3");
        try (var hf = ModelFiles.open(folder); var gguf = ModelFiles.open(folder.resolve("tiny-llama3-f32.gguf"))) {
            var c = (LlamaConfig) gguf.config();
            assertEquals(RopeStyle.ADJACENT, c.ropeStyle());
            var expected = Llama3RopeFactors.compute(((LlamaConfig) hf.config()).ropeScaling(), ((LlamaConfig) hf.config()).ropeTheta(), ((LlamaConfig) hf.config()).headDimension());
            assertArrayEquals(expected, c.ropeFrequencyFactors(), "same float32 arithmetic as llama.cpp's converter");
            assertTrue(c.ropeFrequencyFactors()[15] > 1f, "low frequencies are scaled");
            int hd = c.headDimension();
            for (var pick : new int[] {0, 2}) {
                var hfKey = floats(((LlamaWeights) hf.weights()).layers().get(pick).key());
                var ggKey = floats(((LlamaWeights) gguf.weights()).layers().get(pick).key());
                int cols = c.embeddingLength();
                for (int r = 0; r < c.keyValueHeadCount() * hd; r++) {
                    int src = QueryKeyPermutation.huggingFaceRow(r, hd);
                    for (int k = 0; k < cols; k++) assertEquals(hfKey[src * cols + k], ggKey[r * cols + k]);
                }
            }
            assertArrayEquals(floats(((LlamaWeights) hf.weights()).layers().get(0).value()), floats(((LlamaWeights) gguf.weights()).layers().get(0).value()));
        }
    }

    @Test
    void opensQuantizedAndHalfGgufs() {
        for (var name : new String[] {"tiny-qwen2", "tiny-llama3"}) {
            try (var q = ModelFiles.open(Fixtures.model(name).resolve(name + "-q8_0.gguf"));
                 var h = ModelFiles.open(Fixtures.model(name).resolve(name + "-f16.gguf"))) {
                assertEquals(GgmlType.Q8_0, ((LlamaWeights) q.weights()).layers().get(0).gate().type());
                assertEquals(GgmlType.F32, ((LlamaWeights) q.weights()).layers().get(0).attentionNorm().type());
                assertEquals(GgmlType.F16, ((LlamaWeights) h.weights()).layers().get(0).gate().type());
            }
        }
    }

    @Test
    void missingLmHeadMeansTiedEmbeddings() throws IOException {
        var src = Fixtures.model("tiny-qwen2");
        var folder = Files.createDirectory(dir.resolve("tied"));
        Files.copy(src.resolve("config.json"), folder.resolve("config.json"));
        try (var full = ModelFiles.open(src)) {
            SafetensorsTestFiles.writeWithout(full.checkpoint().tensors(), "lm_head.weight", folder.resolve("model.safetensors"));
        }
        try (var m = ModelFiles.open(folder)) {
            assertTrue(((LlamaConfig) m.config()).tiedEmbeddings());
            assertSame(m.weights().tokenEmbedding(), ((LlamaWeights) m.weights()).output());
        }
    }

    @Test
    void unsupportedArchitectureIsNamed() throws IOException {
        var folder = Files.createDirectory(dir.resolve("mistral"));
        Files.writeString(folder.resolve("config.json"), "{\"architectures\":[\"MistralForCausalLM\"],\"hidden_size\":8}");
        var e = assertThrows(ModelFormatException.class, () -> ModelFiles.open(folder));
        assertTrue(e.getMessage().contains("MistralForCausalLM"), e.getMessage());
    }

    @Test
    void folderWithoutConfigPointsAtItsGgufFiles() throws IOException {
        var folder = Files.createDirectory(dir.resolve("ggufs"));
        Files.writeString(folder.resolve("model-q8_0.gguf"), "not really");
        var e = assertThrows(ModelFormatException.class, () -> ModelFiles.open(folder));
        assertTrue(e.getMessage().contains("config.json") && e.getMessage().contains("model-q8_0.gguf"), e.getMessage());
    }

    @Test
    void missingTensorIsNamed() throws IOException {
        var src = Fixtures.model("tiny-llama3");
        var folder = Files.createDirectory(dir.resolve("partial"));
        Files.copy(src.resolve("config.json"), folder.resolve("config.json"));
        try (var full = ModelFiles.open(src)) {
            SafetensorsTestFiles.writeWithout(full.checkpoint().tensors(), "model.layers.1.mlp.up_proj.weight", folder.resolve("model.safetensors"));
        }
        var e = assertThrows(ModelFormatException.class, () -> ModelFiles.open(folder));
        assertTrue(e.getMessage().contains("model.layers.1.mlp.up_proj.weight"), e.getMessage());
    }

    @Test
    void shardedCheckpointOpensThroughItsIndex() throws IOException {
        var src = Fixtures.model("tiny-llama3");
        var folder = Files.createDirectory(dir.resolve("sharded"));
        Files.copy(src.resolve("config.json"), folder.resolve("config.json"));
        try (var full = ModelFiles.open(src)) {
            SafetensorsTestFiles.writeSharded(full.checkpoint().tensors(), folder, 3);
        }
        try (var full = ModelFiles.open(src); var sharded = ModelFiles.open(folder)) {
            assertArrayEquals(floats(((LlamaWeights) full.weights()).layers().get(2).down()), floats(((LlamaWeights) sharded.weights()).layers().get(2).down()));
            assertArrayEquals(floats(((LlamaWeights) full.weights()).output()), floats(((LlamaWeights) sharded.weights()).output()));
        }
    }
}
