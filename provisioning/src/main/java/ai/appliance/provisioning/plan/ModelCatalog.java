package ai.appliance.provisioning.plan;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/** The DeepSeek-R1 family the appliance serves, best first. Numbers are from each repository's config.json. */
public final class ModelCatalog {

    private final List<ModelSpec> models;

    public ModelCatalog(List<ModelSpec> models) {
        this.models = models.stream().sorted(Comparator.comparingInt(ModelSpec::qualityRank)).toList();
    }

    public static ModelCatalog deepSeekR1() {
        return new ModelCatalog(List.of(
                // 61 layers, MLA kv_lora_rank 512 + rope 64; 671B main model (the 14B MTP module is not loaded).
                new ModelSpec("DeepSeek-R1", "deepseek-ai/DeepSeek-R1", "DeepseekV3ForCausalLM", Quantization.FP8,
                        671_000_000_000L, 37_000_000_000L, 61, 7168, 18432, 128, 128, 129280, 163840,
                        ModelSpec.mlaKvBytesPerToken(61, 512, 64), false, 1),
                new ModelSpec("DeepSeek-R1-Distill-Llama-70B", "deepseek-ai/DeepSeek-R1-Distill-Llama-70B",
                        "LlamaForCausalLM", Quantization.BF16, 70_553_706_496L, 70_553_706_496L,
                        80, 8192, 28672, 64, 8, 128256, 131072, ModelSpec.gqaKvBytesPerToken(80, 8, 128), true, 2),
                new ModelSpec("DeepSeek-R1-Distill-Qwen-32B", "deepseek-ai/DeepSeek-R1-Distill-Qwen-32B",
                        "Qwen2ForCausalLM", Quantization.BF16, 32_763_876_352L, 32_763_876_352L,
                        64, 5120, 27648, 40, 8, 152064, 131072, ModelSpec.gqaKvBytesPerToken(64, 8, 128), true, 3),
                new ModelSpec("DeepSeek-R1-Distill-Qwen-14B", "deepseek-ai/DeepSeek-R1-Distill-Qwen-14B",
                        "Qwen2ForCausalLM", Quantization.BF16, 14_770_033_664L, 14_770_033_664L,
                        48, 5120, 13824, 40, 8, 152064, 131072, ModelSpec.gqaKvBytesPerToken(48, 8, 128), true, 4),
                new ModelSpec("DeepSeek-R1-Distill-Qwen-7B", "deepseek-ai/DeepSeek-R1-Distill-Qwen-7B",
                        "Qwen2ForCausalLM", Quantization.BF16, 7_615_616_512L, 7_615_616_512L,
                        28, 3584, 18944, 28, 4, 152064, 131072, ModelSpec.gqaKvBytesPerToken(28, 4, 128), true, 5),
                new ModelSpec("DeepSeek-R1-Distill-Llama-8B", "deepseek-ai/DeepSeek-R1-Distill-Llama-8B",
                        "LlamaForCausalLM", Quantization.BF16, 8_030_261_248L, 8_030_261_248L,
                        32, 4096, 14336, 32, 8, 128256, 131072, ModelSpec.gqaKvBytesPerToken(32, 8, 128), true, 6),
                new ModelSpec("DeepSeek-R1-Distill-Qwen-1.5B", "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B",
                        "Qwen2ForCausalLM", Quantization.BF16, 1_777_088_000L, 1_777_088_000L,
                        28, 1536, 8960, 12, 2, 151936, 131072, ModelSpec.gqaKvBytesPerToken(28, 2, 128), true, 7)));
    }

    /** Best first. */
    public List<ModelSpec> models() {
        return models;
    }

    public Optional<ModelSpec> byId(String id) {
        return models.stream().filter(m -> m.id().equalsIgnoreCase(id)).findFirst();
    }
}
