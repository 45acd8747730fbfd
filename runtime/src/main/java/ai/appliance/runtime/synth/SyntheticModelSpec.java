package ai.appliance.runtime.synth;

import ai.appliance.runtime.model.Architecture;
import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.model.RopeScaling;
import ai.appliance.runtime.model.RopeStyle;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The exact shapes, hyper-parameters and special tokens of a real DeepSeek-R1 distill, from which
 * {@link SyntheticModelWriter} makes a random-weight GGUF of the same size for demos and benchmarks.
 *
 * @param regularVocabulary ids below this hold byte tokens, merge results and filler; special tokens start here
 * @param specialTokens     id → content of added tokens
 * @param nonSpecial        added tokens that are not special (written USER_DEFINED unless they look special)
 */
public record SyntheticModelSpec(String id, String displayName, ModelConfig config, int regularVocabulary,
                                 Map<Integer, String> specialTokens, Set<String> nonSpecial,
                                 int bosId, int eosId, int padId) {

    static final String BOS = "<\uFF5Cbegin\u2581of\u2581sentence\uFF5C>";
    static final String EOS = "<\uFF5Cend\u2581of\u2581sentence\uFF5C>";
    static final String USER = "<\uFF5CUser\uFF5C>";
    static final String ASSISTANT = "<\uFF5CAssistant\uFF5C>";
    static final String PAD = "<\uFF5C\u2581pad\u2581\uFF5C>";

    /** The models {@code synth --model} accepts, by id. */
    public static Map<String, SyntheticModelSpec> all() {
        var map = new LinkedHashMap<String, SyntheticModelSpec>();
        for (var s : new SyntheticModelSpec[] {qwen("deepseek-r1-distill-qwen-1.5b", "DeepSeek-R1-Distill-Qwen-1.5B", 1536, 8960, 28, 12, 2, 151936),
                qwen("deepseek-r1-distill-qwen-7b", "DeepSeek-R1-Distill-Qwen-7B", 3584, 18944, 28, 28, 4, 152064),
                llama8b()}) {
            map.put(s.id(), s);
        }
        return map;
    }

    public static SyntheticModelSpec byId(String id) {
        var spec = all().get(id);
        if (spec == null) throw new IllegalArgumentException("unknown model '" + id + "'; choose one of " + all().keySet());
        return spec;
    }

    /** Qwen2.5-based distills: the tokenizer's added tokens start at 151643 (as in the real tokenizer.json). */
    private static SyntheticModelSpec qwen(String id, String name, int hidden, int ffn, int layers, int heads, int kvHeads, int vocab) {
        var config = new ModelConfig(Architecture.QWEN2, vocab, hidden, ffn, layers, heads, kvHeads, hidden / heads,
                1e-6f, 10000.0, RopeStyle.HALVES, null, null, 131072, false);
        String[] added = {EOS, USER, ASSISTANT, BOS, "<|EOT|>", "<think>", "</think>", "<|quad_start|>", "<|quad_end|>",
                "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>", "<tool_call>",
                "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"};
        var specials = new LinkedHashMap<Integer, String>();
        for (int i = 0; i < added.length; i++) specials.put(151643 + i, added[i]);
        var nonSpecial = Set.of(USER, ASSISTANT, "<|EOT|>", "<think>", "</think>", "<tool_call>", "</tool_call>",
                "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>");
        return new SyntheticModelSpec(id, name, config, 151643, specials, nonSpecial, 151646, 151643, 151643);
    }

    /** Llama-3.1-8B-based distill: 256 added tokens from 128000, DeepSeek's in place of some reserved ones. */
    private static SyntheticModelSpec llama8b() {
        var config = new ModelConfig(Architecture.LLAMA, 128256, 4096, 14336, 32, 32, 8, 128,
                1e-5f, 500000.0, RopeStyle.ADJACENT, new RopeScaling(8, 1, 4, 8192), null, 131072, false);
        var specials = new LinkedHashMap<Integer, String>();
        for (int id = 128000; id < 128256; id++) specials.put(id, "<|reserved_special_token_" + (id - 128000) + "|>");
        specials.put(128000, BOS);
        specials.put(128001, EOS);
        specials.put(128011, USER);
        specials.put(128012, ASSISTANT);
        specials.put(128013, "<think>");
        specials.put(128014, "</think>");
        specials.put(128015, PAD);
        var nonSpecial = Set.of(USER, ASSISTANT, "<think>", "</think>");
        return new SyntheticModelSpec("deepseek-r1-distill-llama-8b", "DeepSeek-R1-Distill-Llama-8B", config, 128000,
                specials, nonSpecial, 128000, 128001, 128001);
    }

    /** The same model cut to {@code layers} blocks (for tests and quick demos). */
    public SyntheticModelSpec withLayers(int layers) {
        var c = config;
        var cut = new ModelConfig(c.architecture(), c.vocabularySize(), c.embeddingLength(), c.feedForwardLength(), layers,
                c.headCount(), c.keyValueHeadCount(), c.headDimension(), c.rmsNormEpsilon(), c.ropeTheta(), c.ropeStyle(),
                c.ropeScaling(), c.ropeFrequencyFactors(), c.contextLength(), c.tiedEmbeddings());
        return new SyntheticModelSpec(id, displayName, cut, regularVocabulary, specialTokens, nonSpecial, bosId, eosId, padId);
    }
}
