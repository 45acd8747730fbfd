package ai.appliance.runtime.model;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a Hugging Face {@code config.json} into a {@link ModelConfig}. Understands both layouts:
 * transformers v4 (top-level {@code rope_theta}, {@code rope_scaling}) and v5 ({@code rope_parameters}
 * holding {@code rope_theta}, {@code rope_type} and the scaling fields). HF checkpoints always rotate
 * {@link RopeStyle#HALVES}.
 */
public final class HfConfigReader {
    private HfConfigReader() {
    }

    public static ModelConfig read(Path configJson) {
        if (!Files.isRegularFile(configJson)) throw new ModelFormatException(configJson, "file not found");
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(configJson.toFile());
        } catch (JacksonException e) {
            throw new ModelFormatException(configJson, "corrupt JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelFormatException(configJson, "cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new ModelFormatException(configJson, "not a JSON object");
        return fromJson(configJson, root);
    }

    static ModelConfig fromJson(Path file, JsonNode root) {
        var fields = new Fields(file, root);
        var architecture = architecture(file, root);
        int hidden = fields.positiveInt("hidden_size");
        int heads = fields.positiveInt("num_attention_heads");
        int kvHeads = root.has("num_key_value_heads") && !root.get("num_key_value_heads").isNull()
                ? fields.positiveInt("num_key_value_heads") : heads;
        int headDim = root.has("head_dim") && !root.get("head_dim").isNull() ? fields.positiveInt("head_dim") : hidden / heads;
        var ropeParameters = root.path("rope_parameters");
        double theta;
        JsonNode scaling;
        if (ropeParameters.isObject()) {
            theta = new Fields(file, ropeParameters).positiveDouble("rope_theta", 10000.0);
            scaling = ropeParameters;
        } else {
            theta = fields.positiveDouble("rope_theta", 10000.0);
            scaling = root.path("rope_scaling");
        }
        var tied = root.path("tie_word_embeddings").asBoolean(false);
        var config = new ModelConfig(architecture,
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
        ModelConfigChecks.validate(file, config);
        return config;
    }

    private static Architecture architecture(Path file, JsonNode root) {
        var archs = root.path("architectures");
        String name = archs.isArray() && !archs.isEmpty() ? archs.get(0).asText() : root.path("model_type").asText("");
        return switch (name) {
            case "Qwen2ForCausalLM", "qwen2" -> Architecture.QWEN2;
            case "LlamaForCausalLM", "llama" -> Architecture.LLAMA;
            default -> throw new ModelFormatException(file, "architecture '" + (name.isEmpty() ? "(none given)" : name)
                    + "' is not supported; supported: Qwen2ForCausalLM, LlamaForCausalLM");
        };
    }

    /** Null for unscaled RoPE ("default" or absent); Llama-3 scaling for "llama3"; an error for other kinds. */
    private static RopeScaling ropeScaling(Path file, JsonNode node) {
        if (node == null || !node.isObject()) return null;
        var type = node.has("rope_type") ? node.path("rope_type").asText() : node.path("type").asText("default");
        if (type.equals("default")) return null;
        if (!type.equals("llama3")) {
            throw new ModelFormatException(file, "RoPE scaling type '" + type + "' is not supported; supported: default, llama3");
        }
        var f = new Fields(file, node);
        return new RopeScaling(f.positiveDouble("factor", null), f.positiveDouble("low_freq_factor", null),
                f.positiveDouble("high_freq_factor", null), f.positiveInt("original_max_position_embeddings"));
    }

    /** Field access that names the file and field when a value is missing or wrong. */
    private record Fields(Path file, JsonNode node) {
        int positiveInt(String name) {
            var v = node.get(name);
            if (v == null || v.isNull()) throw new ModelFormatException(file, "'" + name + "' is missing");
            if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() <= 0) {
                throw new ModelFormatException(file, "'" + name + "' = " + v + " is not a positive integer");
            }
            return v.asInt();
        }

        double positiveDouble(String name, Double fallback) {
            var v = node.get(name);
            if (v == null || v.isNull()) {
                if (fallback == null) throw new ModelFormatException(file, "'" + name + "' is missing");
                return fallback;
            }
            if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
                throw new ModelFormatException(file, "'" + name + "' = " + v + " is not a positive number");
            }
            return v.asDouble();
        }
    }
}
