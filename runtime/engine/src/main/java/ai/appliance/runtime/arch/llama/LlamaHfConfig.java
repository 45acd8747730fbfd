package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.model.ConfigFields;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.model.RopeStyle;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/**
 * Reads a Hugging Face {@code config.json} into a {@link LlamaConfig}. Understands both layouts:
 * transformers v4 (top-level {@code rope_theta}, {@code rope_scaling}) and v5 ({@code rope_parameters}
 * holding {@code rope_theta}, {@code rope_type} and the scaling fields). HF checkpoints always rotate
 * {@link RopeStyle#HALVES}.
 */
final class LlamaHfConfig {
    private LlamaHfConfig() {
    }

    static LlamaConfig read(Path file, JsonNode root, LlamaVariant architecture) {
        var fields = new ConfigFields(file, root);
        int hidden = fields.positiveInt("hidden_size");
        int heads = fields.positiveInt("num_attention_heads");
        int kvHeads = root.has("num_key_value_heads") && !root.get("num_key_value_heads").isNull()
                ? fields.positiveInt("num_key_value_heads") : heads;
        int headDim = root.has("head_dim") && !root.get("head_dim").isNull() ? fields.positiveInt("head_dim") : hidden / heads;
        var ropeParameters = root.path("rope_parameters");
        double theta;
        JsonNode scaling;
        if (ropeParameters.isObject()) {
            theta = new ConfigFields(file, ropeParameters).positiveDouble("rope_theta", 10000.0);
            scaling = ropeParameters;
        } else {
            theta = fields.positiveDouble("rope_theta", 10000.0);
            scaling = root.path("rope_scaling");
        }
        var tied = root.path("tie_word_embeddings").asBoolean(false);
        var config = new LlamaConfig(architecture,
                fields.positiveInt("vocab_size"),
                hidden,
                fields.positiveInt("intermediate_size"),
                fields.positiveInt("num_hidden_layers"),
                heads, kvHeads, headDim,
                (float) fields.positiveDouble("rms_norm_eps", 1e-6),
                theta,
                RopeStyle.HALVES,
                ropeScaling(file, scaling),
                null,
                root.has("max_position_embeddings") ? fields.positiveInt("max_position_embeddings") : 4096,
                tied);
        LlamaConfigChecks.validate(file, config);
        return config;
    }

    /** Null for unscaled RoPE ("default" or absent); Llama-3 scaling for "llama3"; an error for other kinds. */
    private static Llama3RopeScaling ropeScaling(Path file, JsonNode node) {
        if (node == null || !node.isObject()) return null;
        var type = node.has("rope_type") ? node.path("rope_type").asText() : node.path("type").asText("default");
        if (type.equals("default")) return null;
        if (!type.equals("llama3")) {
            throw new ModelFormatException(file, "RoPE scaling type '" + type + "' is not supported; supported: default, llama3");
        }
        var f = new ConfigFields(file, node);
        return new Llama3RopeScaling(f.positiveDouble("factor", null), f.positiveDouble("low_freq_factor", null),
                f.positiveDouble("high_freq_factor", null), f.positiveInt("original_max_position_embeddings"));
    }
}
