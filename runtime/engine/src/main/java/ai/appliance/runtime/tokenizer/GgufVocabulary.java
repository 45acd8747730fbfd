package ai.appliance.runtime.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds a {@link Tokenizer} from GGUF {@code tokenizer.ggml.*} metadata, given as a plain map (so it does not
 * depend on the reader): {@code gpt2} byte-level BPE with the pre-tokenizer named by {@code tokenizer.ggml.pre},
 * or {@code llama} SentencePiece with scores and byte fallback.
 */
public final class GgufVocabulary {
    private GgufVocabulary() {
    }

    /**
     * @throws TokenizerException when the metadata lacks a vocabulary or names an unsupported tokenizer
     */
    public static Tokenizer fromMetadata(Map<String, Object> metadata) {
        String model = string(metadata, "tokenizer.ggml.model");
        if (model == null) throw new TokenizerException("no tokenizer.ggml.model in the metadata: the file has no vocabulary");
        List<String> tokens = stringList(metadata, "tokenizer.ggml.tokens");
        if (tokens == null || tokens.isEmpty()) throw new TokenizerException("tokenizer.ggml.tokens is missing or empty");
        int n = tokens.size();
        int[] types = intArray(metadata, "tokenizer.ggml.token_type");
        float[] scores = floatArray(metadata, "tokenizer.ggml.scores");
        if (types != null && types.length != n) throw new TokenizerException("tokenizer.ggml.token_type has " + types.length + " entries for " + n + " tokens");
        if (scores != null && scores.length != n) throw new TokenizerException("tokenizer.ggml.scores has " + scores.length + " entries for " + n + " tokens");
        var kinds = new TokenKind[n];
        for (int i = 0; i < n; i++) kinds[i] = types == null ? TokenKind.NORMAL : TokenKind.fromGguf(types[i]);
        var vocab = new Vocabulary(tokens.toArray(String[]::new), kinds, scores);

        var builder = TextTokenizer.builder().vocabulary(vocab);
        int unk = intOr(metadata, "tokenizer.ggml.unknown_token_id", -1);
        boolean addBosDefault;
        switch (model) {
            case "gpt2" -> {
                String pre = string(metadata, "tokenizer.ggml.pre");
                var preset = PreTokenizerPresets.forName(pre == null ? "default" : pre);
                for (var regex : preset.regexes()) {
                    builder.preTokenizer(new PreTokenizer.RegexSplit(PreTokenizer.compile(regex), PreTokenizer.Behavior.ISOLATED));
                }
                builder.preTokenizer(new PreTokenizer.ByteLevelStep(false, null));
                var merges = new ArrayList<String[]>();
                var mergeTexts = stringList(metadata, "tokenizer.ggml.merges");
                if (mergeTexts == null) throw new TokenizerException("tokenizer.ggml.merges is missing for a gpt2 vocabulary");
                for (var m : mergeTexts) {
                    int space = m.indexOf(' ', 1);
                    if (space < 0) throw new TokenizerException("merge without a space: '" + m + "'");
                    merges.add(new String[]{m.substring(0, space), m.substring(space + 1)});
                }
                builder.model(new MergeBpe(vocab, merges, preset.ignoreMerges(), false, -1))
                        .decoding(TextTokenizer.Decoding.BYTE_LEVEL);
                addBosDefault = preset.addBos();
            }
            case "llama" -> {
                boolean spacePrefix = bool(metadata, "tokenizer.ggml.add_space_prefix", true);
                builder.model(new SentencePieceBpe(vocab, unk))
                        .normalizer(SegmentNormalizer.sentencePiece(spacePrefix))
                        .decoding(TextTokenizer.Decoding.SPACE_MARKER)
                        .stripLeadingSpace(spacePrefix);
                addBosDefault = true;
            }
            default -> throw new TokenizerException("tokenizer.ggml.model '" + model + "' is not supported (gpt2 and llama are)");
        }
        // the strings llama.cpp matches in text before tokenizing: control, user-defined and unknown tokens
        for (int id = 0; id < n; id++) {
            var kind = kinds[id];
            if (kind == TokenKind.CONTROL || kind == TokenKind.USER_DEFINED || kind == TokenKind.UNKNOWN) {
                builder.addedToken(new AddedTokens.Entry(tokens.get(id), id, kind != TokenKind.USER_DEFINED, false, false));
            }
        }
        int bos = intOr(metadata, "tokenizer.ggml.bos_token_id", -1);
        int eos = intOr(metadata, "tokenizer.ggml.eos_token_id", -1);
        if (bos >= n) bos = -1;
        if (eos >= n) eos = -1;
        boolean addBos = bool(metadata, "tokenizer.ggml.add_bos_token", addBosDefault);
        builder.endOfGeneration(intOr(metadata, "tokenizer.ggml.eot_token_id", -1))
                .endOfGeneration(intOr(metadata, "tokenizer.ggml.eom_token_id", -1));
        return builder.bos(bos).eos(eos).addBos(addBos && bos >= 0).build();
    }

    /** The chat template stored in the metadata, or null. */
    public static String chatTemplate(Map<String, Object> metadata) {
        return string(metadata, "tokenizer.chat_template");
    }

    static String string(Map<String, Object> m, String key) {
        return m.get(key) instanceof String s ? s : null;
    }

    static int intOr(Map<String, Object> m, String key, int fallback) {
        return m.get(key) instanceof Number n ? (int) n.longValue() : fallback;
    }

    static boolean bool(Map<String, Object> m, String key, boolean fallback) {
        return m.get(key) instanceof Boolean b ? b : fallback;
    }

    @SuppressWarnings("unchecked")
    static List<String> stringList(Map<String, Object> m, String key) {
        var v = m.get(key);
        if (v == null) return null;
        if (v instanceof String[] a) return List.of(a);
        if (v instanceof List<?> l) {
            for (var e : l) if (!(e instanceof String)) throw new TokenizerException(key + " is not a list of strings");
            return (List<String>) l;
        }
        throw new TokenizerException(key + " is not a list of strings");
    }

    static int[] intArray(Map<String, Object> m, String key) {
        return switch (m.get(key)) {
            case null -> null;
            case int[] a -> a;
            case long[] a -> java.util.Arrays.stream(a).mapToInt(x -> (int) x).toArray();
            case List<?> l -> l.stream().mapToInt(x -> ((Number) x).intValue()).toArray();
            default -> throw new TokenizerException(key + " is not an integer array");
        };
    }

    static float[] floatArray(Map<String, Object> m, String key) {
        return switch (m.get(key)) {
            case null -> null;
            case float[] a -> a;
            case double[] a -> {
                var f = new float[a.length];
                for (int i = 0; i < a.length; i++) f[i] = (float) a[i];
                yield f;
            }
            case List<?> l -> {
                var f = new float[l.size()];
                for (int i = 0; i < f.length; i++) f[i] = ((Number) l.get(i)).floatValue();
                yield f;
            }
            default -> throw new TokenizerException(key + " is not a float array");
        };
    }
}
