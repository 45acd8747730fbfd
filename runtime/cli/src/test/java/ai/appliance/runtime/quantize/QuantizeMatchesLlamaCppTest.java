package ai.appliance.runtime.quantize;

import ai.appliance.runtime.arch.llama.LlamaConfig;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.cli.Main;
import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.testing.Fixtures;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Quantizing each fixture (its safetensors checkpoint, and its F32 GGUF) must give the file llama.cpp's
 * converter wrote: the same tensors in the same order with byte-identical data, and the same metadata.
 */
class QuantizeMatchesLlamaCppTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama3"})
    void checkpointQuantizesToLlamaCppsQ8File(String name) throws Exception {
        var out = dir.resolve(name + ".gguf");
        assertEquals(0, Main.newCommandLine().execute("quantize", "--model", Fixtures.model(name).toString(), "--out", out.toString()));
        try (var ours = GgufFile.open(out); var theirs = GgufFile.open(Fixtures.model(name).resolve(name + "-q8_0.gguf"))) {
            assertSameTensors(theirs, ours);
            assertSameMetadata(theirs, ours);
            assertEquals(Files.readString(Fixtures.model(name).resolve("chat_template.jinja")), ours.getString("tokenizer.chat_template"));
        }
        try (var quantized = ModelFiles.open(out); var checkpoint = ModelFiles.open(Fixtures.model(name))) {
            assertEquals(checkpoint.config().vocabularySize(), quantized.config().vocabularySize());
            assertEquals(((LlamaConfig) checkpoint.config()).ropeTheta(), ((LlamaConfig) quantized.config()).ropeTheta());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama3"})
    void f32GgufRequantizesToLlamaCppsQ8File(String name) throws Exception {
        var out = dir.resolve(name + "-from-gguf.gguf");
        var source = Fixtures.model(name).resolve(name + "-f32.gguf");
        assertEquals(0, Main.newCommandLine().execute("quantize", "--model", source.toString(), "--out", out.toString()));
        try (var ours = GgufFile.open(out); var theirs = GgufFile.open(Fixtures.model(name).resolve(name + "-q8_0.gguf"))) {
            assertSameTensors(theirs, ours);
            assertSameMetadata(theirs, ours);
            assertEquals(theirs.metadata().keySet(), ours.metadata().keySet(), "a GGUF keeps its metadata keys");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama3"})
    void q8GgufIsCopiedUnchanged(String name) throws Exception {
        var out = dir.resolve(name + "-copy.gguf");
        var source = Fixtures.model(name).resolve(name + "-q8_0.gguf");
        assertEquals(0, Main.newCommandLine().execute("quantize", "--model", source.toString(), "--out", out.toString()));
        try (var ours = GgufFile.open(out); var theirs = GgufFile.open(source)) {
            assertSameTensors(theirs, ours);
            assertSameMetadata(theirs, ours);
            assertEquals(Files.size(source), Files.size(out));
        }
    }

    static void assertSameTensors(GgufFile expected, GgufFile actual) {
        assertEquals(List.copyOf(expected.tensors().keySet()), List.copyOf(actual.tensors().keySet()), "tensor names and order");
        var mismatches = new ArrayList<String>();
        for (var t : expected.tensors().values()) {
            var ours = actual.tensor(t.name());
            assertEquals(t.type(), ours.type(), t.name());
            assertArrayEquals(t.shape(), ours.shape(), t.name());
            long at = MemorySegment.mismatch(t.data(), 0, t.data().byteSize(), ours.data(), 0, ours.data().byteSize());
            if (at >= 0) mismatches.add(t.name() + " differs at byte " + at);
        }
        assertTrue(mismatches.isEmpty(), String.join("\n", mismatches));
    }

    static void assertSameMetadata(GgufFile expected, GgufFile actual) {
        for (var e : expected.metadataEntries().values()) {
            var ours = actual.metadataEntries().get(e.key());
            assertTrue(ours != null, "metadata '" + e.key() + "' is missing");
            assertEquals(e.type(), ours.type(), e.key());
            assertEquals(e.elementType(), ours.elementType(), e.key());
            assertTrue(Objects.deepEquals(e.value(), ours.value()), e.key() + ": " + e.value() + " vs " + ours.value());
        }
    }
}
