package ai.appliance.provisioning.plan;

/**
 * A model the planner may choose, with the numbers of its Hugging Face config.json that size its memory.
 *
 * @param parameters total weights (safetensors metadata); for the MoE all experts, they all stay resident
 * @param activeParameters weights read per generated token (MoE: routed + shared experts; dense: all)
 * @param kvBytesPerToken K and V cache bytes per token over all layers at 16-bit precision
 * @param kvShardable whether tensor parallelism splits the KV cache (GQA heads); MLA's single latent is replicated
 * @param attentionHeads and {@code kvHeads} bound the tensor-parallel degree: it must divide both
 * @param qualityRank 1 = best; from the DeepSeek-R1 report's distill table (AIME, MATH-500, GPQA, LiveCodeBench)
 */
public record ModelSpec(
        String id,
        String huggingFaceRepo,
        String architecture,
        Quantization nativeFormat,
        long parameters,
        long activeParameters,
        int layers,
        int hiddenSize,
        int intermediateSize,
        int attentionHeads,
        int kvHeads,
        int vocabularySize,
        int maxContext,
        long kvBytesPerToken,
        boolean kvShardable,
        int qualityRank) {

    /** GQA: 2 (K and V) x layers x kv heads x head dim x 2 bytes. */
    static long gqaKvBytesPerToken(int layers, int kvHeads, int headDim) {
        return 2L * layers * kvHeads * headDim * 2;
    }

    /** MLA as served with the absorbed latent cache: (kv_lora_rank + qk_rope_head_dim) x layers x 2 bytes. */
    static long mlaKvBytesPerToken(int layers, int kvLoraRank, int ropeHeadDim) {
        return (long) (kvLoraRank + ropeHeadDim) * layers * 2;
    }
}
