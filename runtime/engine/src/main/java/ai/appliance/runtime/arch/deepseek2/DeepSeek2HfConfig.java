package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Scoring;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Selection;
import ai.appliance.runtime.model.ConfigFields;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.model.RopeStyle;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * Reads a DeepSeek-V2/V3 {@code config.json} (the layout of the checkpoints on the hub: top-level {@code rope_theta}
 * and {@code rope_scaling}; transformers v5's {@code rope_parameters} is read too) into a {@link DeepSeek2Config}.
 * Defaults are those of DeepSeek's own configuration classes: V2 scores with softmax and selects greedily, V3 with
 * sigmoid and {@code noaux_tc}. {@code q_lora_rank: null} means a plain q projection. Multi-token-prediction layers
 * ({@code num_nextn_predict_layers}) are not loaded: they follow the {@code num_hidden_layers} blocks and nothing
 * reads them.
 */
final class DeepSeek2HfConfig {
    static final String V2 = "DeepseekV2ForCausalLM";
    static final String V3 = "DeepseekV3ForCausalLM";

    private DeepSeek2HfConfig() {
    }

    static DeepSeek2Config read(Path file, JsonNode root, String architectureName, Set<String> tensorNames) {
        boolean v3 = architectureName.equals(V3) || architectureName.equals("deepseek_v3");
        var f = new ConfigFields(file, root);
        int layers = f.positiveInt("num_hidden_layers");
        int hidden = f.positiveInt("hidden_size");
        int moeLayerFrequency = f.positiveInt("moe_layer_freq", 1);
        if (moeLayerFrequency != 1) {
            throw new ModelFormatException(file, "'moe_layer_freq' = " + moeLayerFrequency + " is not supported; every layer after "
                    + "'first_k_dense_replace' must be a mixture-of-experts layer (1)");
        }
        var scoringName = f.string("scoring_func", v3 ? "sigmoid" : "softmax");
        var scoring = Arrays.stream(Scoring.values()).filter(s -> s.huggingFaceName().equals(scoringName)).findFirst()
                .orElseThrow(() -> new ModelFormatException(file, "'scoring_func' = \"" + scoringName
                        + "\" is not supported; supported: softmax, sigmoid"));
        var methodName = f.string("topk_method", v3 ? "noaux_tc" : "greedy");
        var selection = Arrays.stream(Selection.values()).filter(s -> s.huggingFaceName().equals(methodName)).findFirst()
                .orElseThrow(() -> new ModelFormatException(file, "'topk_method' = \"" + methodName
                        + "\" is not supported; supported: greedy, group_limited_greedy, noaux_tc"));
        var ropeParameters = root.path("rope_parameters");
        double theta;
        JsonNode scaling;
        if (ropeParameters.isObject()) {
            theta = new ConfigFields(file, ropeParameters).positiveDouble("rope_theta", 10000.0);
            scaling = ropeParameters;
        } else {
            theta = f.positiveDouble("rope_theta", 10000.0);
            scaling = root.path("rope_scaling");
        }
        boolean interleaved = f.bool("rope_interleave", true);
        boolean tied = f.bool("tie_word_embeddings", false) || !tensorNames.contains(DeepSeek2TensorNames.HUGGING_FACE.output());
        var config = new DeepSeek2Config(
                f.positiveInt("vocab_size"),
                hidden,
                layers,
                f.positiveInt("num_attention_heads"),
                f.nonNegativeInt("q_lora_rank", 0),
                f.positiveInt("kv_lora_rank"),
                f.positiveInt("qk_nope_head_dim"),
                f.positiveInt("qk_rope_head_dim"),
                f.positiveInt("v_head_dim"),
                f.nonNegativeInt("intermediate_size", 0),
                f.nonNegativeInt("moe_intermediate_size", 0),
                f.nonNegativeInt("n_routed_experts", 0),
                f.nonNegativeInt("n_shared_experts", 0),
                f.nonNegativeInt("num_experts_per_tok", 0),
                f.positiveInt("n_group", 1),
                f.positiveInt("topk_group", 1),
                f.bool("norm_topk_prob", false),
                (float) f.positiveDouble("routed_scaling_factor", 1.0),
                scoring,
                selection,
                f.nonNegativeInt("first_k_dense_replace", 0),
                (float) f.positiveDouble("rms_norm_eps", 1e-6),
                theta,
                interleaved ? RopeStyle.ADJACENT : RopeStyle.HALVES,
                yarn(file, scaling),
                f.positiveInt("max_position_embeddings", 4096),
                tied);
        return config.validate(file);
    }

    /** Null without scaling ("default" or absent); YaRN for "yarn"; an error for other kinds. */
    private static YarnScaling yarn(Path file, JsonNode node) {
        if (node == null || !node.isObject()) return null;
        var type = node.has("rope_type") ? node.path("rope_type").asText() : node.path("type").asText("default");
        if (type.equals("default")) return null;
        if (!type.equals("yarn")) {
            throw new ModelFormatException(file, "RoPE scaling type '" + type + "' is not supported for DeepSeek; supported: yarn");
        }
        var f = new ConfigFields(file, node);
        return new YarnScaling(f.positiveDouble("factor", null), f.positiveInt("original_max_position_embeddings"),
                f.positiveDouble("beta_fast", 32.0), f.positiveDouble("beta_slow", 1.0),
                nonNegative(file, node, "mscale", 1.0), nonNegative(file, node, "mscale_all_dim", 0.0));
    }

    private static double nonNegative(Path file, JsonNode node, String name, double fallback) {
        var v = node.get(name);
        if (v == null || v.isNull()) return fallback;
        if (!v.isNumber() || !(v.asDouble() >= 0) || Double.isInfinite(v.asDouble())) {
            throw new ModelFormatException(file, "'rope_scaling." + name + "' = " + v + " is not a non-negative number");
        }
        return v.asDouble();
    }
}
