package ai.appliance.runtime.arch.deepseek2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Scoring;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Selection;
import ai.appliance.runtime.loading.CheckpointConfig;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Hyper-parameters from the fixtures' GGUF files and config.json, YaRN, and refused values. */
class DeepSeek2ConfigTest {

    private static DeepSeek2Config open(Path path) {
        try (var files = ModelFiles.open(path)) {
            return (DeepSeek2Config) files.config();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-deepseek-v3", "tiny-deepseek-v2-lite"})
    void ggufAndConfigJsonGiveTheSameConfig(String model) {
        var hf = open(Fixtures.model(model));
        assertEquals(hf, open(Fixtures.model(model).resolve(model + "-f16.gguf")));
        assertEquals(hf, open(Fixtures.model(model).resolve(model + "-q8_0.gguf")));
    }

    @Test
    void v3() {
        var c = open(Fixtures.model("tiny-deepseek-v3").resolve("tiny-deepseek-v3-q8_0.gguf"));
        assertEquals(96, c.queryLoraRank());
        assertEquals(64, c.kvLoraRank());
        assertEquals(32, c.qkNopeHeadDim());
        assertEquals(16, c.qkRopeHeadDim());
        assertEquals(32, c.valueHeadDim());
        assertEquals(16, c.expertCount());
        assertEquals(4, c.expertsPerToken());
        assertEquals(1, c.sharedExpertCount());
        assertEquals(4, c.expertGroupCount());
        assertEquals(2, c.expertGroupsUsed());
        assertEquals(Scoring.SIGMOID, c.scoring());
        assertEquals(Selection.NOAUX_TC, c.selection());
        assertTrue(c.normalizeExpertWeights());
        assertEquals(2.5f, c.expertWeightsScale());
        assertEquals(1, c.leadingDenseBlocks());
        assertEquals(new YarnScaling(4, 256, 32, 1, 1, 1), c.yarn());
        assertEquals(0.187130, c.softmaxScale(), 1e-6, "48^-1/2 · (0.1·ln 4 + 1)², as the README computes");
        assertEquals(3L * 80 * 4, c.kvCacheBytesPerToken());
        var frequencies = c.yarn().inverseFrequencies(16, 10000);
        float[] readme = {1.0f, 0.25694f, 0.0625f, 0.013835f, 0.0025f};
        // The README rounds to five significant digits.
        for (int i = 0; i < readme.length; i++) assertEquals(readme[i], frequencies[i], 1e-4 * readme[i], "inv_freq " + i);
        var describe = c.describe();
        for (var key : java.util.List.of("queryLoraRank", "kvLoraRank", "expertGroupCount", "selection", "ropeScaling", "kvCacheBytesPerToken")) {
            assertTrue(describe.containsKey(key), key);
        }
    }

    @Test
    void v2LiteHasNoQueryLoraAndNoScaling() {
        var c = open(Fixtures.model("tiny-deepseek-v2-lite").resolve("tiny-deepseek-v2-lite-f16.gguf"));
        assertEquals(0, c.queryLoraRank());
        assertNull(c.yarn());
        assertEquals(Scoring.SOFTMAX, c.scoring());
        assertEquals(Selection.GREEDY, c.selection());
        assertEquals(8, c.expertCount());
        assertEquals(6, c.expertsPerToken());
        assertEquals(2, c.sharedExpertCount());
        assertEquals(1, c.expertGroupCount());
        assertEquals(false, c.normalizeExpertWeights());
        assertEquals(1 / Math.sqrt(48), c.softmaxScale(), 1e-9);
    }

    private static ObjectNode fixtureJson(String model) throws Exception {
        return (ObjectNode) new ObjectMapper().readTree(Fixtures.model(model).resolve("config.json").toFile());
    }

    private static DeepSeek2Config read(ObjectNode root) {
        return DeepSeek2HfConfig.read(Path.of("config.json"), root, CheckpointConfig.architectureName(root),
                Set.of(DeepSeek2TensorNames.HUGGING_FACE.output()));
    }

    @Test
    void unknownScoringFunctionIsRefused() throws Exception {
        var root = fixtureJson("tiny-deepseek-v3");
        root.put("scoring_func", "sqrtsoftplus");
        var e = assertThrows(ModelFormatException.class, () -> read(root));
        assertTrue(e.getMessage().contains("'scoring_func' = \"sqrtsoftplus\" is not supported; supported: softmax, sigmoid"), e.getMessage());
    }

    @Test
    void unknownTopKMethodIsRefused() throws Exception {
        var root = fixtureJson("tiny-deepseek-v2-lite");
        root.put("topk_method", "random");
        var e = assertThrows(ModelFormatException.class, () -> read(root));
        assertTrue(e.getMessage().contains("'topk_method' = \"random\" is not supported"), e.getMessage());
    }

    @Test
    void otherRopeScalingIsRefused() throws Exception {
        var root = fixtureJson("tiny-deepseek-v3");
        ((ObjectNode) root.get("rope_scaling")).put("type", "linear");
        var e = assertThrows(ModelFormatException.class, () -> read(root));
        assertTrue(e.getMessage().contains("RoPE scaling type 'linear' is not supported"), e.getMessage());
    }

    @Test
    void topKGroupAboveTheGroupCountIsRefused() throws Exception {
        var root = fixtureJson("tiny-deepseek-v3");
        root.put("topk_group", 5);
        var e = assertThrows(ModelFormatException.class, () -> read(root));
        assertTrue(e.getMessage().contains("expert groups used 5 (1 to the group count 4)"), e.getMessage());
    }

    @Test
    void nullQueryLoraRankMeansAPlainQueryProjection() throws Exception {
        var root = fixtureJson("tiny-deepseek-v3");
        root.putNull("q_lora_rank");
        assertEquals(0, read(root).queryLoraRank());
    }

    @Test
    void checkpointWithoutLmHeadTiesTheEmbeddings() throws Exception {
        var root = fixtureJson("tiny-deepseek-v3");
        var c = DeepSeek2HfConfig.read(Path.of("config.json"), root, "DeepseekV3ForCausalLM", Set.of());
        assertTrue(c.tiedEmbeddings());
    }
}
