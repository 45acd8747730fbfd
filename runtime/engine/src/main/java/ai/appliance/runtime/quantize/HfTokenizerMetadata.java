package ai.appliance.runtime.quantize;

import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.model.ModelFormatException;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tokenizer.*} GGUF metadata of a byte-level BPE checkpoint, derived from its
 * tokenizer.json, tokenizer_config.json, chat_template.jinja and config.json the way llama.cpp's
 * converter does: vocabulary padded to the model's vocab_size with {@code [PAD<id>]} (UNUSED),
 * added tokens CONTROL when special or looking special ({@code <|…|>}, {@code <｜…｜>}), otherwise USER_DEFINED.
 */
public final class HfTokenizerMetadata {
    /** llama.cpp's token types. */
    public static final int NORMAL = 1;
    public static final int CONTROL = 3;
    public static final int USER_DEFINED = 4;
    public static final int UNUSED = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    /** tokenizer_config.json's {@code <kind>_token} → GGUF key, in llama.cpp's order (its spelling "seperator" included). */
    private static final Map<String, String> SPECIAL_TOKEN_KEYS = orderedMap(
            "bos", "tokenizer.ggml.bos_token_id", "eos", "tokenizer.ggml.eos_token_id",
            "unk", "tokenizer.ggml.unknown_token_id", "sep", "tokenizer.ggml.seperator_token_id",
            "pad", "tokenizer.ggml.padding_token_id", "cls", "tokenizer.ggml.cls_token_id",
            "mask", "tokenizer.ggml.mask_token_id");

    private static Map<String, String> orderedMap(String... pairs) {
        var map = new java.util.LinkedHashMap<String, String>();
        for (int i = 0; i < pairs.length; i += 2) map.put(pairs[i], pairs[i + 1]);
        return java.util.Collections.unmodifiableMap(map);
    }

    private HfTokenizerMetadata() {
    }

    /** Writes tokenizer.ggml.* and tokenizer.chat_template for the checkpoint in {@code folder}. */
    public static void write(GgufWriter writer, Path folder, String tokenizerPreset, int vocabularySize) {
        var tokenizerJson = folder.resolve("tokenizer.json");
        var tokenizer = readJson(tokenizerJson, true);
        var tokenizerConfig = readJson(folder.resolve("tokenizer_config.json"), false);
        var config = readJson(folder.resolve("config.json"), false);
        var model = tokenizer.path("model");
        if (!model.path("type").asText("").equals("BPE")) {
            throw new ModelFormatException(tokenizerJson, "tokenizer model '" + model.path("type").asText("(none)")
                    + "' is not supported; byte-level BPE is");
        }
        var vocab = model.path("vocab");
        var byId = new HashMap<Integer, String>();
        vocab.properties().forEach(e -> byId.put(e.getValue().asInt(), e.getKey()));
        var added = new HashMap<Integer, JsonNode>();
        var idByContent = new HashMap<String, Integer>();
        vocab.properties().forEach(e -> idByContent.put(e.getKey(), e.getValue().asInt()));
        for (var t : tokenizer.path("added_tokens")) {
            int id = t.path("id").asInt();
            added.put(id, t);
            byId.put(id, t.path("content").asText());
            idByContent.put(t.path("content").asText(), id);
        }
        var tokens = new ArrayList<String>(vocabularySize);
        var types = new int[vocabularySize];
        for (int id = 0; id < vocabularySize; id++) {
            var token = byId.get(id);
            if (token == null) {
                tokens.add("[PAD" + id + "]");
                types[id] = UNUSED;
            } else if (added.containsKey(id)) {
                if (added.get(id).path("special").asBoolean(false) || looksSpecialToken(token)) {
                    types[id] = CONTROL;
                } else {
                    token = token.replace('\u2581', ' ');
                    types[id] = USER_DEFINED;
                }
                tokens.add(token);
            } else {
                tokens.add(token);
                types[id] = NORMAL;
            }
        }
        var merges = new ArrayList<String>();
        for (var m : model.path("merges")) {
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        writer.putString("tokenizer.ggml.model", "gpt2");
        writer.putString("tokenizer.ggml.pre", tokenizerPreset);
        writer.putStrings("tokenizer.ggml.tokens", tokens);
        writer.putInt32s("tokenizer.ggml.token_type", types);
        writer.putStrings("tokenizer.ggml.merges", merges);
        for (var kind : SPECIAL_TOKEN_KEYS.entrySet()) {
            var id = specialTokenId(kind.getKey(), tokenizerConfig, config, idByContent);
            if (id != null && id >= 0 && id < vocabularySize) writer.putUInt32(kind.getValue(), id);
        }
        for (var kind : List.of("bos", "eos")) {
            var flag = tokenizerConfig.get("add_" + kind + "_token");
            if (flag != null && flag.isBoolean()) writer.putBool("tokenizer.ggml.add_" + kind + "_token", flag.asBoolean());
        }
        var template = chatTemplate(folder, tokenizerConfig);
        if (template != null) writer.putString("tokenizer.chat_template", template);
    }

    /** The rule of llama.cpp's converter for added tokens that ought to be control tokens. */
    public static boolean looksSpecialToken(String token) {
        return token.equals("<pad>") || token.equals("<mask>")
                || (token.startsWith("<|") && token.endsWith("|>"))
                || (token.startsWith("<\uFF5C") && token.endsWith("\uFF5C>"));
    }

    private static Integer specialTokenId(String kind, JsonNode tokenizerConfig, JsonNode config, Map<String, Integer> idByContent) {
        var entry = tokenizerConfig.get(kind + "_token");
        String content = null;
        if (entry != null && entry.isTextual()) content = entry.asText();
        if (entry != null && entry.isObject()) content = entry.path("content").asText(null);
        if (content != null && idByContent.containsKey(content)) return idByContent.get(content);
        var fromConfig = config.get(kind + "_token_id");
        if (fromConfig != null && fromConfig.canConvertToInt()) return fromConfig.asInt();
        if (fromConfig != null && fromConfig.isArray() && !fromConfig.isEmpty()) return fromConfig.get(0).asInt();
        return null;
    }

    private static String chatTemplate(Path folder, JsonNode tokenizerConfig) {
        var inline = tokenizerConfig.get("chat_template");
        if (inline != null && inline.isTextual()) return inline.asText();
        var file = folder.resolve("chat_template.jinja");
        if (!Files.isRegularFile(file)) return null;
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }

    private static JsonNode readJson(Path file, boolean required) {
        if (!Files.isRegularFile(file)) {
            if (required) throw new ModelFormatException(file, "file not found (needed for the tokenizer)");
            return JSON.createObjectNode();
        }
        try {
            var node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) throw new ModelFormatException(file, "not a JSON object");
            return node;
        } catch (JacksonException e) {
            throw new ModelFormatException(file, "corrupt JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }
}
