package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Scoring;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Selection;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2TensorNames.Layer;
import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.model.RopeStyle;

/**
 * Derives the {@link DeepSeek2Config} of a {@code deepseek2} GGUF file from its metadata, in both layouts llama.cpp's
 * converters have written:
 * <ul>
 *   <li>legacy (unsplit {@code attn_kv_b}): {@code attention.head_count_kv} = heads, {@code attention.key_length} =
 *       qk_nope + qk_rope, {@code attention.value_length} = v_head_dim;</li>
 *   <li>split ({@code attn_k_b}/{@code attn_v_b}): llama.cpp treats absorbed MLA as multi-query attention over the
 *       latent, so {@code head_count_kv} = 1, {@code key_length} = kv_lora_rank + qk_rope and {@code value_length} =
 *       kv_lora_rank; the per-head sizes are in {@code key_length_mla} / {@code value_length_mla}.</li>
 * </ul>
 * The head sizes come from the {@code _mla} keys when present, else from the plain ones; {@code head_count_kv} is
 * not needed at all (MLA has one latent for all heads).
 *
 * <p>Other facts the converters leave out: no {@code q_lora_rank} key means a plain q projection (V2-Lite), decided
 * from the key and the {@code attn_q_a} tensor, not from the layer count; no {@code expert_gating_func} means softmax
 * (DeepSeek-V2 files from before the key existed); no {@code expert_group_count}/{@code expert_group_used_count}
 * means no group limit; β_fast/β_slow default to 32/1; {@code rope.scaling.yarn_log_multiplier} is 0.1 ×
 * mscale_all_dim (a legacy of llama.cpp's converter), and mscale equals mscale_all_dim (the cos/sin amplitude is 1).
 * The expert selection follows the tensors: a correction bias ({@code exp_probs_b}) means V3's biased, group-limited
 * selection; without it, groups (if any) are ranked by their best score as DeepSeek-V2 does.
 */
final class DeepSeek2GgufConfig {
    private static final String P = DeepSeek2Config.ARCHITECTURE + ".";

    private DeepSeek2GgufConfig() {
    }

    static DeepSeek2Config read(GgufFile gguf) {
        var file = gguf.path();
        var names = DeepSeek2TensorNames.GGUF;
        int hidden = gguf.getInt(P + "embedding_length");
        int layers = gguf.getInt(P + "block_count");
        var embedding = gguf.tensor(names.embedding());
        long vocab = gguf.has(P + "vocab_size") ? gguf.getLong(P + "vocab_size") : embedding.shape()[0];
        if (vocab <= 0 || vocab > Integer.MAX_VALUE) throw new ModelFormatException(file, "vocabulary size " + vocab);
        int rope = gguf.getInt(P + "rope.dimension_count");
        int keyLength = gguf.has(P + "attention.key_length_mla")
                ? gguf.getInt(P + "attention.key_length_mla") : gguf.getInt(P + "attention.key_length");
        int valueLength = gguf.has(P + "attention.value_length_mla")
                ? gguf.getInt(P + "attention.value_length_mla") : gguf.getInt(P + "attention.value_length");
        int queryLora = queryLoraRank(gguf);
        int leadingDense = gguf.getInt(P + "leading_dense_block_count", 0);
        int experts = gguf.getInt(P + "expert_count", 0);
        int groups = gguf.getInt(P + "expert_group_count", 1);
        boolean biased = leadingDense < layers && leadingDense >= 0
                && gguf.tensorOrNull(names.layer(leadingDense, Layer.ROUTER_BIAS)) != null;
        var selection = biased ? Selection.NOAUX_TC : groups > 1 ? Selection.GROUP_LIMITED_GREEDY : Selection.GREEDY;
        var config = new DeepSeek2Config(
                (int) vocab,
                hidden,
                layers,
                gguf.getInt(P + "attention.head_count"),
                queryLora,
                gguf.getInt(P + "attention.kv_lora_rank"),
                keyLength - rope,
                rope,
                valueLength,
                gguf.getInt(P + "feed_forward_length", 0),
                gguf.getInt(P + "expert_feed_forward_length", 0),
                experts,
                gguf.getInt(P + "expert_shared_count", 0),
                gguf.getInt(P + "expert_used_count", 0),
                groups,
                gguf.getInt(P + "expert_group_used_count", 1),
                gguf.getBoolean(P + "expert_weights_norm", false),
                gguf.getFloat(P + "expert_weights_scale", 1f),
                scoring(gguf),
                selection,
                leadingDense,
                gguf.getFloat(P + "attention.layer_norm_rms_epsilon"),
                gguf.getDouble(P + "rope.freq_base", 10000.0),
                RopeStyle.ADJACENT,
                yarn(gguf),
                gguf.getInt(P + "context_length"),
                gguf.tensorOrNull(names.output()) == null);
        return config.validate(file);
    }

    /** The key when present; else the width of block 0's attn_q_a if the file has one (a converter that left the key out); else 0. */
    private static int queryLoraRank(GgufFile gguf) {
        if (gguf.has(P + "attention.q_lora_rank")) return gguf.getInt(P + "attention.q_lora_rank");
        var qa = gguf.tensorOrNull(DeepSeek2TensorNames.GGUF.layer(0, Layer.Q_A));
        return qa == null ? 0 : (int) Math.min(Integer.MAX_VALUE, qa.shape()[0]);
    }

    private static Scoring scoring(GgufFile gguf) {
        if (!gguf.has(P + "expert_gating_func")) return Scoring.SOFTMAX; // files from before the key: DeepSeek-V2
        int id = gguf.getInt(P + "expert_gating_func");
        for (var s : Scoring.values()) if (s.ggufId() == id) return s;
        throw new ModelFormatException(gguf.path(), "metadata '" + P + "expert_gating_func' = " + id
                + " is not supported; supported: 1 (softmax), 2 (sigmoid)");
    }

    private static YarnScaling yarn(GgufFile gguf) {
        var type = gguf.getStringOrNull(P + "rope.scaling.type");
        if (type == null || type.equals("none")) return null;
        if (!type.equals("yarn")) {
            throw new ModelFormatException(gguf.path(), "RoPE scaling type '" + type + "' is not supported for deepseek2; supported: none, yarn");
        }
        // Stored as 0.1 × mscale_all_dim; back in float32 so that e.g. 0.0707 reads as 0.707.
        double mscaleAllDim = (float) (gguf.getDouble(P + "rope.scaling.yarn_log_multiplier", 0.0) / 0.1);
        return new YarnScaling(gguf.getDouble(P + "rope.scaling.factor"),
                gguf.getInt(P + "rope.scaling.original_context_length"),
                gguf.getDouble(P + "rope.scaling.yarn_beta_fast", 32.0),
                gguf.getDouble(P + "rope.scaling.yarn_beta_slow", 1.0),
                mscaleAllDim, mscaleAllDim);
    }
}
