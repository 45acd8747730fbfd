package ai.appliance.runtime.chat;

import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.tokenizer.GgufVocabulary;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Finds a model's chat template: {@code chat_template.jinja} or {@code tokenizer_config.json}'s
 * {@code chat_template} in a checkpoint folder, {@code tokenizer.chat_template} in a GGUF file.
 */
public final class ChatTemplates {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatTemplates() {
    }

    /**
     * @param modelPath a {@code .gguf} file or a Hugging Face checkpoint folder
     * @throws ModelFormatException naming the file when there is no template or it cannot be read
     */
    public static ChatTemplate load(Path modelPath) {
        if (Files.isDirectory(modelPath)) return fromFolder(modelPath);
        if (!Files.isRegularFile(modelPath)) {
            throw new ModelFormatException(modelPath, "not found (expected a .gguf file or a checkpoint folder)");
        }
        try (var gguf = GgufFile.open(modelPath)) {
            return fromGguf(modelPath, gguf.metadata());
        }
    }

    /**
     * The template of an opened GGUF file, with BOS/EOS texts from its vocabulary. Files converted without a
     * {@code tokenizer.chat_template} fall back to a template beside the file ({@code chat_template.jinja} or
     * {@code tokenizer_config.json}), then, for vocabularies with DeepSeek-R1's turn tokens, to the
     * DeepSeek-R1-Distill template this runtime ships.
     */
    public static ChatTemplate fromGguf(Path file, Map<String, Object> metadata) {
        String bos = tokenText(metadata, "tokenizer.ggml.bos_token_id");
        String eos = tokenText(metadata, "tokenizer.ggml.eos_token_id");
        String source = GgufVocabulary.chatTemplate(metadata);
        if (source != null) return new ChatTemplate(source, bos, eos);
        var folder = file.toAbsolutePath().getParent();
        if (folder != null && (Files.isRegularFile(folder.resolve("chat_template.jinja"))
                || hasTemplateInConfig(folder.resolve("tokenizer_config.json")))) {
            var beside = fromFolder(folder);
            return new ChatTemplate(beside.source(), bos, eos);
        }
        if (metadata.get("tokenizer.ggml.tokens") instanceof List<?> tokens
                && tokens.contains(DEEPSEEK_USER) && tokens.contains(DEEPSEEK_ASSISTANT)) {
            return new ChatTemplate(builtIn("deepseek-r1-distill.jinja"), bos, eos);
        }
        throw new ModelFormatException(file, "no tokenizer.chat_template in the GGUF metadata and no chat_template.jinja"
                + " or tokenizer_config.json beside it");
    }

    private static final String DEEPSEEK_USER = "<\uff5cUser\uff5c>";
    private static final String DEEPSEEK_ASSISTANT = "<\uff5cAssistant\uff5c>";

    private static boolean hasTemplateInConfig(Path configFile) {
        if (!Files.isRegularFile(configFile)) return false;
        try {
            return JSON.readTree(configFile.toFile()).has("chat_template");
        } catch (IOException e) {
            return false;
        }
    }

    private static String builtIn(String name) {
        try (var in = ChatTemplates.class.getResourceAsStream(name)) {
            if (in == null) throw new IllegalStateException("built-in chat template missing from the jar: " + name);
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read built-in chat template " + name, e);
        }
    }

    private static String tokenText(Map<String, Object> metadata, String idKey) {
        if (!(metadata.get(idKey) instanceof Number id) || !(metadata.get("tokenizer.ggml.tokens") instanceof List<?> tokens)) return "";
        long i = id.longValue();
        return i >= 0 && i < tokens.size() && tokens.get((int) i) instanceof String s ? s : "";
    }

    static ChatTemplate fromFolder(Path folder) {
        var configFile = folder.resolve("tokenizer_config.json");
        JsonNode config = JSON.createObjectNode();
        if (Files.isRegularFile(configFile)) {
            try {
                config = JSON.readTree(configFile.toFile());
            } catch (IOException e) {
                throw new ModelFormatException(configFile, "cannot read JSON: " + e.getMessage(), e);
            }
        }
        String bos = tokenString(config.get("bos_token"));
        String eos = tokenString(config.get("eos_token"));
        var jinjaFile = folder.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinjaFile)) {
            try {
                return new ChatTemplate(Files.readString(jinjaFile), bos, eos);
            } catch (IOException e) {
                throw new ModelFormatException(jinjaFile, "cannot read: " + e.getMessage(), e);
            }
        }
        var template = config.get("chat_template");
        if (template != null && template.isTextual()) return new ChatTemplate(template.asText(), bos, eos);
        if (template != null && template.isArray()) {
            // named templates: [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]
            for (var t : template) {
                if ("default".equals(t.path("name").asText())) return new ChatTemplate(t.path("template").asText(), bos, eos);
            }
        }
        throw new ModelFormatException(folder, "no chat template: neither chat_template.jinja nor a chat_template in tokenizer_config.json");
    }

    private static String tokenString(JsonNode value) {
        if (value == null || value.isNull()) return "";
        if (value.isTextual()) return value.asText();
        return value.path("content").asText("");
    }
}
