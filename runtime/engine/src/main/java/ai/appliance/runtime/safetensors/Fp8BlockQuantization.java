package ai.appliance.runtime.safetensors;

import ai.appliance.runtime.model.ModelFormatException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The block FP8 quantization of a Hugging Face checkpoint, as DeepSeek-V3/R1 are released:
 * {@code config.json} has {@code "quantization_config": {"quant_method": "fp8", "fmt": "e4m3",
 * "weight_block_size": [128, 128], ...}}, the quantized weights are F8_E4M3, and each weight {@code X}
 * has an F32 companion {@code X_scale_inv} of shape [ceil(rows / rowBlock), ceil(columns / columnBlock)]
 * with W[r][c] = fp8[r][c] × scale_inv[r / rowBlock][c / columnBlock].
 *
 * <p>The block size is {@code weight_block_size} (rows, then columns), never the weight's shape divided
 * by the scales' shape: with partial edge blocks (192 columns in blocks of 128) those differ.
 */
public record Fp8BlockQuantization(int rowBlock, int columnBlock) {
    /** What a weight's name is followed by in the name of its scale tensor. */
    public static final String SCALE_SUFFIX = "_scale_inv";
    private static final ObjectMapper JSON = new ObjectMapper();

    public Fp8BlockQuantization {
        if (rowBlock <= 0 || columnBlock <= 0) {
            throw new IllegalArgumentException("block size must be positive, got [" + rowBlock + ", " + columnBlock + "]");
        }
    }

    /** The name of the scale tensor of weight {@code weightName}. */
    public static String scaleName(String weightName) {
        return weightName + SCALE_SUFFIX;
    }

    /**
     * The quantization that {@code config.json} in {@code folder} declares; null when the folder has no
     * config.json or its config has no {@code quantization_config} of {@code quant_method} "fp8".
     *
     * @throws ModelFormatException when config.json cannot be read, or declares fp8 without a valid block size
     */
    public static Fp8BlockQuantization read(Path folder) {
        var configJson = folder.resolve("config.json");
        if (!Files.isRegularFile(configJson)) return null;
        JsonNode root;
        try {
            root = JSON.readTree(configJson.toFile());
        } catch (JacksonException e) {
            throw new ModelFormatException(configJson, "corrupt JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelFormatException(configJson, "cannot read: " + e.getMessage(), e);
        }
        return fromConfig(root, configJson);
    }

    /**
     * As {@link #read}, from an already parsed config.json ({@code source} names it in errors): null
     * unless {@code quantization_config.quant_method} is "fp8".
     */
    public static Fp8BlockQuantization fromConfig(JsonNode config, Path source) {
        var q = config == null ? null : config.get("quantization_config");
        if (q == null || !q.isObject() || !"fp8".equals(q.path("quant_method").asText(""))) return null;
        var fmt = q.get("fmt");
        if (fmt != null && !fmt.isNull() && !"e4m3".equals(fmt.asText())) {
            throw new ModelFormatException(source, "quantization_config.fmt is " + fmt + "; only e4m3 FP8 is supported");
        }
        var size = q.get("weight_block_size");
        if (size == null || size.isNull()) {
            throw new ModelFormatException(source, "quantization_config of quant_method fp8 has no weight_block_size;"
                    + " only block-scaled FP8 (weight_scale_inv per block) is supported");
        }
        if (!size.isArray() || size.size() != 2 || !isPositiveInt(size.get(0)) || !isPositiveInt(size.get(1))) {
            throw new ModelFormatException(source, "quantization_config.weight_block_size must be [rows, columns] of"
                    + " positive integers, got " + size);
        }
        return new Fp8BlockQuantization(size.get(0).intValue(), size.get(1).intValue());
    }

    private static boolean isPositiveInt(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToInt() && n.intValue() > 0;
    }
}
