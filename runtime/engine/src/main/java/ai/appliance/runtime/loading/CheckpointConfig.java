package ai.appliance.runtime.loading;

import ai.appliance.runtime.model.ModelFormatException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a Hugging Face checkpoint's config.json far enough to pick its architecture. */
public final class CheckpointConfig {
    private CheckpointConfig() {
    }

    /** The parsed JSON object; a missing, unreadable or corrupt file is a {@link ModelFormatException}. */
    public static JsonNode readJson(Path configJson) {
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
        return root;
    }

    /** {@code architectures[0]}, else {@code model_type}, else "". */
    public static String architectureName(JsonNode root) {
        var archs = root.path("architectures");
        return archs.isArray() && !archs.isEmpty() ? archs.get(0).asText() : root.path("model_type").asText("");
    }
}
