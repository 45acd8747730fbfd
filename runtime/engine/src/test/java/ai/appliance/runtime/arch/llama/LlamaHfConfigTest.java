package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.model.ModelFormatException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaHfConfigTest {
    @TempDir
    Path dir;

    private static final String BASE = """
            "architectures": ["LlamaForCausalLM"], "hidden_size": 4096, "intermediate_size": 14336,
            "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256,
            "rms_norm_eps": 1e-05, "max_position_embeddings": 131072""";

    private LlamaConfig read(String json) throws IOException {
        var p = dir.resolve("config" + System.nanoTime() + ".json");
        Files.writeString(p, json);
        return new LlamaArchitecture().huggingFaceConfig(p, ai.appliance.runtime.loading.CheckpointConfig.readJson(p),
                java.util.Set.of("lm_head.weight"));
    }

    @Test
    void v5RopeParametersCarryThetaAndLlama3Scaling() throws IOException {
        var c = read("{" + BASE + """
                , "rope_parameters": {"rope_theta": 500000.0, "rope_type": "llama3", "factor": 8.0,
                  "low_freq_factor": 1.0, "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}}""");
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(new Llama3RopeScaling(8, 1, 4, 8192), c.ropeScaling());
        assertEquals(128, c.headDimension(), "head dim defaults to hidden / heads");
    }

    @Test
    void v4LayoutWithoutScalingAndExplicitHeadDim() throws IOException {
        var c = read("{" + BASE + ", \"rope_theta\": 10000.0, \"head_dim\": 64, \"tie_word_embeddings\": true}");
        assertEquals(10000.0, c.ropeTheta());
        assertNull(c.ropeScaling());
        assertEquals(64, c.headDimension());
        assertTrue(c.tiedEmbeddings());
    }

    @Test
    void unsupportedScalingAndBrokenFieldsAreNamed() throws IOException {
        var yarn = assertThrows(ModelFormatException.class,
                () -> read("{" + BASE + ", \"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4}}"));
        assertTrue(yarn.getMessage().contains("yarn"), yarn.getMessage());
        var heads = assertThrows(ModelFormatException.class, () -> read("{" + BASE.replace("\"num_key_value_heads\": 8", "\"num_key_value_heads\": 5") + "}"));
        assertTrue(heads.getMessage().contains("key/value head count 5"), heads.getMessage());
        var json = assertThrows(ModelFormatException.class, () -> read("{" + BASE));
        assertTrue(json.getMessage().contains("corrupt JSON"), json.getMessage());
        var missing = assertThrows(ModelFormatException.class, () -> read("{\"architectures\": [\"Qwen2ForCausalLM\"]}"));
        assertTrue(missing.getMessage().contains("'hidden_size' is missing"), missing.getMessage());
    }
}
