package ai.appliance.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class InspectCommandTest {
    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        var out = new StringWriter();
        var err = new StringWriter();
        var cli = Main.newCommandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void textShowsMetadataWithLongArraysSummarisedAndTheTensorTable() {
        var r = run("inspect", "--model", Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("general.architecture") && r.out().contains("\"qwen2\""), r.out());
        assertTrue(r.out().contains("[ARRAY of STRING, 1207 items]"), r.out());
        assertTrue(r.out().contains("Tensors (39):"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("token_embd.weight") && l.contains("Q8_0") && l.contains("[1207, 128]")), r.out());
        assertTrue(r.out().lines().count() < 100, "no full token list");
    }

    @Test
    void jsonIsMachineReadable() throws Exception {
        var r = run("inspect", "--json", "--model", Fixtures.model("tiny-llama3").resolve("tiny-llama3-f16.gguf").toString());
        assertEquals(0, r.exit(), r.err());
        var json = new ObjectMapper().readTree(r.out());
        assertEquals("llama", json.path("metadata").path("general.architecture").path("value").asText());
        assertEquals(1407, json.path("metadata").path("tokenizer.ggml.tokens").path("length").asInt());
        assertEquals(31, json.path("tensors").size());
        assertEquals("F16", json.path("tensors").get(1).path("type").asText());
    }

    @Test
    void aDeepSeekGgufShowsItsKvCacheAndDecodeBytesAsTheEngineReadsThem() {
        var r = run("inspect", "--model", Fixtures.model("tiny-deepseek-v3").resolve("tiny-deepseek-v3-q8_0.gguf").toString());
        assertEquals(0, r.exit(), r.err());
        // 3 layers × (kv_lora_rank 64 + qk_rope 16) floats × 4 bytes: the compressed MLA cache
        assertTrue(r.out().matches("(?s).*As the engine reads it:.*kvCacheBytesPerToken\\s+960\\b.*"), r.out());
        assertTrue(r.out().matches("(?s).*decodeBytesPerToken\\s+\\d+.*") && r.out().contains("expertsPerToken"), r.out());
    }

    @Test
    void checkpointFolderShowsItsConfigAndTensors() {
        var r = run("inspect", "--model", Fixtures.model("tiny-llama3").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().matches("(?s).*architecture\\s+llama\\b.*") && r.out().contains("model.layers.2.mlp.down_proj.weight"), r.out());
        // 3 layers × 2 (keys, values) × 2 KV heads × 32 dims × 4 bytes
        assertTrue(r.out().matches("(?s).*kvCacheBytesPerToken\\s+1536\\b.*"), r.out());
    }

    @Test
    void safetensorsFileShowsItsTensors() {
        var r = run("inspect", "--model", Fixtures.model("tiny-qwen2").resolve("model.safetensors").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("safetensors") && r.out().contains("model.layers.0.self_attn.q_proj.bias"), r.out());
    }

    @Test
    void badInputExitsNonZeroWithOneLineError() {
        var r = run("inspect", "--model", Fixtures.root().resolve("models/tiny-qwen2/tokenizer.json").toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().contains("not a GGUF file"), r.err());
    }
}
