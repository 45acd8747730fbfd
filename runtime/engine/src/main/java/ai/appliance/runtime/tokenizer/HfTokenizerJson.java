package ai.appliance.runtime.tokenizer;

import ai.appliance.runtime.model.ModelFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Builds a {@link Tokenizer} from a Hugging Face checkpoint folder: {@code tokenizer.json} (BPE model, added
 * tokens, normalizer, pre-tokenizer, decoder) and {@code tokenizer_config.json} (bos/eos, add_bos_token).
 */
public final class HfTokenizerJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HfTokenizerJson() {
    }

    /** Loads {@code folder/tokenizer.json} with {@code folder/tokenizer_config.json} when present. */
    public static Tokenizer load(Path folder) {
        var tokenizerFile = folder.resolve("tokenizer.json");
        if (!Files.isRegularFile(tokenizerFile)) {
            throw new ModelFormatException(tokenizerFile, "tokenizer.json not found in the checkpoint folder");
        }
        JsonNode tokenizer = readJson(tokenizerFile);
        var configFile = folder.resolve("tokenizer_config.json");
        JsonNode config = Files.isRegularFile(configFile) ? readJson(configFile) : JSON.createObjectNode();
        var generationFile = folder.resolve("generation_config.json");
        JsonNode generation = Files.isRegularFile(generationFile) ? readJson(generationFile) : JSON.createObjectNode();
        try {
            return build(tokenizer, config, generation);
        } catch (TokenizerException e) {
            throw new ModelFormatException(tokenizerFile, e.getMessage(), e);
        }
    }

    static JsonNode readJson(Path file) {
        try {
            var node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) throw new ModelFormatException(file, "not a JSON object");
            return node;
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read JSON: " + e.getMessage(), e);
        }
    }

    /** The token text a config value names: a string, or an AddedToken object with "content"; null when absent. */
    static String tokenString(JsonNode value) {
        if (value == null || value.isNull()) return null;
        if (value.isTextual()) return value.asText();
        if (value.has("content")) return value.get("content").asText();
        return null;
    }

    static Tokenizer build(JsonNode tokenizer, JsonNode config, JsonNode generationConfig) {
        var modelNode = tokenizer.path("model");
        String type = modelNode.path("type").asText("BPE");
        if (!type.equals("BPE")) {
            throw new TokenizerException("tokenizer model type '" + type + "' is not supported (only BPE)");
        }
        var vocabNode = modelNode.path("vocab");
        if (!vocabNode.isObject() || vocabNode.isEmpty()) throw new TokenizerException("model.vocab is missing or empty");

        // the id space covers the model vocabulary and every added token (Qwen's sit past the model's)
        int size = 0;
        for (var it = vocabNode.properties().iterator(); it.hasNext(); ) size = Math.max(size, it.next().getValue().asInt() + 1);
        var added = tokenizer.path("added_tokens");
        for (var t : added) size = Math.max(size, t.path("id").asInt() + 1);
        var texts = new String[size];
        var kinds = new TokenKind[size];
        java.util.Arrays.fill(kinds, TokenKind.NORMAL);
        for (var it = vocabNode.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt();
            if (id < 0) throw new TokenizerException("negative id for vocabulary entry '" + e.getKey() + "'");
            texts[id] = e.getKey();
        }
        var builder = TextTokenizer.builder();
        for (var t : added) {
            int id = t.path("id").asInt(-1);
            String content = t.path("content").asText("");
            if (id < 0 || content.isEmpty()) throw new TokenizerException("added token without id or content: " + t);
            boolean special = t.path("special").asBoolean(false);
            if (texts[id] == null) texts[id] = content;
            kinds[id] = special ? TokenKind.CONTROL : TokenKind.USER_DEFINED;
            builder.addedToken(new AddedTokens.Entry(content, id, special,
                    t.path("lstrip").asBoolean(false), t.path("rstrip").asBoolean(false)));
        }
        var vocab = new Vocabulary(texts, kinds, null);

        var merges = new ArrayList<String[]>();
        for (var m : modelNode.path("merges")) {
            if (m.isTextual()) {
                String s = m.asText();
                int space = s.indexOf(' ', 1);
                if (space < 0) throw new TokenizerException("merge without a space: '" + s + "'");
                merges.add(new String[]{s.substring(0, space), s.substring(space + 1)});
            } else if (m.isArray() && m.size() == 2) {
                merges.add(new String[]{m.get(0).asText(), m.get(1).asText()});
            } else {
                throw new TokenizerException("merge is neither \"a b\" nor [a, b]: " + m);
            }
        }
        String unk = tokenString(modelNode.get("unk_token"));
        int unkId = unk == null ? -1 : vocab.id(unk);
        builder.vocabulary(vocab).model(new MergeBpe(vocab, merges, modelNode.path("ignore_merges").asBoolean(false),
                modelNode.path("byte_fallback").asBoolean(false), unkId));

        builder.normalizer(normalizer(tokenizer.path("normalizer")));
        preTokenizers(tokenizer.path("pre_tokenizer"), builder);
        decoder(tokenizer.path("decoder"), builder);

        int bos = idOf(vocab, tokenString(config.get("bos_token")));
        int eos = idOf(vocab, tokenString(config.get("eos_token")));
        builder.bos(bos).eos(eos);
        // generation_config.json: eos_token_id is one id or a list of ids that all end a turn
        var generationEos = generationConfig.path("eos_token_id");
        if (generationEos.isInt()) builder.endOfGeneration(generationEos.asInt());
        for (var id : generationEos) if (id.isInt()) builder.endOfGeneration(id.asInt());
        boolean addBos = config.has("add_bos_token") ? config.get("add_bos_token").asBoolean()
                : bos >= 0 && postProcessorAddsToken(tokenizer.path("post_processor"), texts[bos]);
        builder.addBos(addBos && bos >= 0);
        return builder.build();
    }

    private static int idOf(Vocabulary vocab, String text) {
        return text == null ? -1 : vocab.id(text);
    }

    /** Whether a TemplateProcessing post-processor puts {@code token} into single sequences. */
    private static boolean postProcessorAddsToken(JsonNode post, String token) {
        if (post.isMissingNode() || post.isNull()) return false;
        if ("Sequence".equals(post.path("type").asText())) {
            for (var p : post.path("processors")) if (postProcessorAddsToken(p, token)) return true;
            return false;
        }
        if (!"TemplateProcessing".equals(post.path("type").asText())) return false;
        for (var piece : post.path("single")) {
            if (token.equals(piece.path("SpecialToken").path("id").asText(null))) return true;
        }
        return false;
    }

    private static SegmentNormalizer normalizer(JsonNode n) {
        if (n.isMissingNode() || n.isNull()) return SegmentNormalizer.IDENTITY;
        String type = n.path("type").asText();
        return switch (type) {
            case "NFC" -> SegmentNormalizer.NFC;
            case "NFKC" -> SegmentNormalizer.NFKC;
            case "NFD" -> SegmentNormalizer.NFD;
            case "NFKD" -> SegmentNormalizer.NFKD;
            case "Prepend" -> SegmentNormalizer.prepend(n.path("prepend").asText());
            case "Replace" -> {
                var pattern = n.path("pattern");
                if (!pattern.has("String")) throw new TokenizerException("Replace normalizer with a regex is not supported");
                yield SegmentNormalizer.replace(pattern.get("String").asText(), n.path("content").asText());
            }
            case "Sequence" -> {
                var steps = new ArrayList<SegmentNormalizer>();
                for (var s : n.path("normalizers")) steps.add(normalizer(s));
                yield SegmentNormalizer.sequence(steps);
            }
            default -> throw new TokenizerException("normalizer '" + type + "' is not supported");
        };
    }

    private static void preTokenizers(JsonNode p, TextTokenizer.Builder builder) {
        if (p.isMissingNode() || p.isNull()) return;
        String type = p.path("type").asText();
        switch (type) {
            case "Sequence" -> {
                for (var s : p.path("pretokenizers")) preTokenizers(s, builder);
            }
            case "Split" -> {
                var pattern = p.path("pattern");
                String regex = pattern.has("Regex") ? pattern.get("Regex").asText()
                        : Pattern.quote(pattern.path("String").asText());
                if (p.path("invert").asBoolean(false)) throw new TokenizerException("Split with invert=true is not supported");
                builder.preTokenizer(new PreTokenizer.RegexSplit(PreTokenizer.compile(regex), behavior(p.path("behavior").asText())));
            }
            case "ByteLevel" -> builder.preTokenizer(new PreTokenizer.ByteLevelStep(
                    p.path("add_prefix_space").asBoolean(false),
                    p.path("use_regex").asBoolean(true) ? PreTokenizer.compile(PreTokenizer.ByteLevelStep.GPT2_REGEX) : null));
            case "Digits" -> builder.preTokenizer(new PreTokenizer.RegexSplit(
                    PreTokenizer.compile(p.path("individual_digits").asBoolean(false) ? "\\p{N}" : "\\p{N}+"),
                    PreTokenizer.Behavior.ISOLATED));
            case "Metaspace" -> {
                // older files say add_prefix_space, newer ones prepend_scheme
                var scheme = switch (p.path("prepend_scheme").asText(p.path("add_prefix_space").asBoolean(true) ? "always" : "never")) {
                    case "first" -> PreTokenizer.PrependScheme.FIRST;
                    case "never" -> PreTokenizer.PrependScheme.NEVER;
                    default -> PreTokenizer.PrependScheme.ALWAYS;
                };
                builder.preTokenizer(new PreTokenizer.Metaspace(scheme, p.path("split").asBoolean(true)));
            }
            default -> throw new TokenizerException("pre-tokenizer '" + type + "' is not supported");
        }
    }

    private static PreTokenizer.Behavior behavior(String name) {
        return switch (name) {
            case "Isolated" -> PreTokenizer.Behavior.ISOLATED;
            case "Removed" -> PreTokenizer.Behavior.REMOVED;
            case "MergedWithPrevious" -> PreTokenizer.Behavior.MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> PreTokenizer.Behavior.MERGED_WITH_NEXT;
            default -> throw new TokenizerException("Split behavior '" + name + "' is not supported");
        };
    }

    private static void decoder(JsonNode d, TextTokenizer.Builder builder) {
        var types = new ArrayList<JsonNode>();
        flatten(d, types);
        boolean byteLevel = false;
        boolean strip = false;
        for (var t : types) {
            switch (t.path("type").asText()) {
                case "ByteLevel" -> byteLevel = true;
                case "Strip" -> strip |= t.path("start").asInt(0) > 0 && " ".equals(t.path("content").asText(" "));
                case "Metaspace" -> strip |= !"never".equals(t.path("prepend_scheme").asText("always"))
                        && t.path("add_prefix_space").asBoolean(true);
                default -> { /* Replace ▁, ByteFallback, Fuse: implied by SPACE_MARKER decoding */ }
            }
        }
        builder.decoding(byteLevel || types.isEmpty() ? TextTokenizer.Decoding.BYTE_LEVEL : TextTokenizer.Decoding.SPACE_MARKER);
        builder.stripLeadingSpace(strip);
    }

    private static void flatten(JsonNode d, List<JsonNode> out) {
        if (d.isMissingNode() || d.isNull()) return;
        if ("Sequence".equals(d.path("type").asText())) {
            for (var s : d.path("decoders")) flatten(s, out);
        } else {
            out.add(d);
        }
    }
}
