package ai.appliance.runtime.arch.deepseek2;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GGUF files whose hyper-parameters disagree with their tensors are refused at load, naming the tensor. */
class DeepSeek2BadInputTest {
    private static final String P = DeepSeek2Config.ARCHITECTURE + ".";

    @TempDir
    Path dir;

    private Path fixture() {
        return Fixtures.model("tiny-deepseek-v3").resolve("tiny-deepseek-v3-q8_0.gguf");
    }

    @Test
    void expertCountThatDisagreesWithTheExpertTensorsIsRefused() throws Exception {
        var bad = GgufRewrite.rewrite(fixture(), dir.resolve("experts.gguf"), w -> w.putUInt32(P + "expert_count", 8), (t, w) -> false);
        var e = assertThrows(ModelFormatException.class, () -> ModelFiles.open(bad).close());
        assertTrue(e.getMessage().contains("'blk.1.ffn_gate_exps.weight' has shape [16, 64, 192]"), e.getMessage());
        assertTrue(e.getMessage().contains("[8, 64, 192]"), e.getMessage());
    }

    @Test
    void kvLoraRankThatDisagreesWithTheLatentProjectionIsRefused() throws Exception {
        var bad = GgufRewrite.rewrite(fixture(), dir.resolve("rank.gguf"), w -> w.putUInt32(P + "attention.kv_lora_rank", 48), (t, w) -> false);
        var e = assertThrows(ModelFormatException.class, () -> ModelFiles.open(bad).close());
        assertTrue(e.getMessage().contains("'blk.0.attn_kv_a_mqa.weight' has shape [80, 192]"), e.getMessage());
        assertTrue(e.getMessage().contains("[64, 192]"), e.getMessage());
    }

    @Test
    void moreExpertsPerTokenThanExpertsIsRefused() throws Exception {
        var bad = GgufRewrite.rewrite(fixture(), dir.resolve("used.gguf"), w -> w.putUInt32(P + "expert_used_count", 17), (t, w) -> false);
        var e = assertThrows(ModelFormatException.class, () -> ModelFiles.open(bad).close());
        assertTrue(e.getMessage().contains("experts per token 17 (1 to the expert count 16)"), e.getMessage());
    }

    @Test
    void groupCountThatDoesNotDivideTheExpertsIsRefused() throws Exception {
        var bad = GgufRewrite.rewrite(fixture(), dir.resolve("groups.gguf"), w -> w.putUInt32(P + "expert_group_count", 3), (t, w) -> false);
        var e = assertThrows(ModelFormatException.class, () -> ModelFiles.open(bad).close());
        assertTrue(e.getMessage().contains("expert group count 3 (must divide the expert count 16)"), e.getMessage());
    }

    @Test
    void unknownGatingFunctionIsRefused() throws Exception {
        var bad = GgufRewrite.rewrite(fixture(), dir.resolve("gating.gguf"), w -> w.putUInt32(P + "expert_gating_func", 3), (t, w) -> false);
        var e = assertThrows(ModelFormatException.class, () -> ModelFiles.open(bad).close());
        assertTrue(e.getMessage().contains("expert_gating_func' = 3 is not supported"), e.getMessage());
    }

    @Test
    void missingQueryLoraRankWithAPlainQueryTensorMissingNamesIt() throws Exception {
        // A q LoRA rank of 0 while the file has attn_q_a: the plain attn_q it would need is missing.
        var bad = GgufRewrite.rewrite(fixture(), dir.resolve("qlora.gguf"), w -> w.putUInt32(P + "attention.q_lora_rank", 0), (t, w) -> false);
        var e = assertThrows(ModelFormatException.class, () -> ModelFiles.open(bad).close());
        assertTrue(e.getMessage().contains("'blk.0.attn_q.weight' is missing"), e.getMessage());
    }
}
