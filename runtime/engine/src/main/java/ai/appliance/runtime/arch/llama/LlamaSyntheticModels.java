package ai.appliance.runtime.arch.llama;

import static ai.appliance.runtime.synth.SyntheticModelSpec.ASSISTANT;
import static ai.appliance.runtime.synth.SyntheticModelSpec.BOS;
import static ai.appliance.runtime.synth.SyntheticModelSpec.EOS;
import static ai.appliance.runtime.synth.SyntheticModelSpec.PAD;
import static ai.appliance.runtime.synth.SyntheticModelSpec.USER;

import ai.appliance.runtime.model.RopeStyle;
import ai.appliance.runtime.synth.SyntheticModelSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/** The DeepSeek-R1 distills synth writes, with their real shapes, hyper-parameters and special tokens. */
final class LlamaSyntheticModels {
    private LlamaSyntheticModels() {
    }

    static List<SyntheticModelSpec> all(LlamaArchitecture architecture) {
        return List.of(qwen(architecture, "deepseek-r1-distill-qwen-1.5b", "DeepSeek-R1-Distill-Qwen-1.5B", 1536, 8960, 28, 12, 2, 151936),
                qwen(architecture, "deepseek-r1-distill-qwen-7b", "DeepSeek-R1-Distill-Qwen-7B", 3584, 18944, 28, 28, 4, 152064),
                llama8b(architecture), demo(architecture));
    }

    /**
     * The server's demo model: the 1.5B distill's vocabulary and template with 2 small layers and tied embeddings,
     * small enough to write and load in seconds on a box with nothing configured.
     */
    private static SyntheticModelSpec demo(LlamaArchitecture architecture) {
        var real = qwen(architecture, "deepseek-r1-distill-qwen-1.5b", "DeepSeek-R1-Distill-Qwen-1.5B", 1536, 8960, 28, 12, 2, 151936);
        var c = (LlamaConfig) real.config();
        var small = new LlamaConfig(c.variant(), c.vocabularySize(), 256, 512, 2, 4, 2, 64, c.rmsNormEpsilon(),
                c.ropeTheta(), c.ropeStyle(), null, null, 4096, true);
        return new SyntheticModelSpec(real.id() + "-demo", real.displayName() + " demo", small, architecture,
                real.regularVocabulary(), real.specialTokens(), real.nonSpecial(), real.bosId(), real.eosId(), real.padId());
    }

    /** Qwen2.5-based distills: the tokenizer's added tokens start at 151643 (as in the real tokenizer.json). */
    private static SyntheticModelSpec qwen(LlamaArchitecture architecture, String id, String name, int hidden, int ffn, int layers, int heads, int kvHeads, int vocab) {
        var config = new LlamaConfig(LlamaVariant.QWEN2, vocab, hidden, ffn, layers, heads, kvHeads, hidden / heads,
                1e-6f, 10000.0, RopeStyle.HALVES, null, null, 131072, false);
        String[] added = {EOS, USER, ASSISTANT, BOS, "<|EOT|>", "<think>", "</think>", "<|quad_start|>", "<|quad_end|>",
                "<|vision_start|>", "<|vision_end|>", "<|vision_pad|>", "<|image_pad|>", "<|video_pad|>", "<tool_call>",
                "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>"};
        var specials = new LinkedHashMap<Integer, String>();
        for (int i = 0; i < added.length; i++) specials.put(151643 + i, added[i]);
        var nonSpecial = Set.of(USER, ASSISTANT, "<|EOT|>", "<think>", "</think>", "<tool_call>", "</tool_call>",
                "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>");
        return new SyntheticModelSpec(id, name, config, architecture, 151643, specials, nonSpecial, 151646, 151643, 151643);
    }

    /** Llama-3.1-8B-based distill: 256 added tokens from 128000, DeepSeek's in place of some reserved ones. */
    private static SyntheticModelSpec llama8b(LlamaArchitecture architecture) {
        var config = new LlamaConfig(LlamaVariant.LLAMA, 128256, 4096, 14336, 32, 32, 8, 128,
                1e-5f, 500000.0, RopeStyle.ADJACENT, new Llama3RopeScaling(8, 1, 4, 8192), null, 131072, false);
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
        return new SyntheticModelSpec("deepseek-r1-distill-llama-8b", "DeepSeek-R1-Distill-Llama-8B", config, architecture, 128000,
                specials, nonSpecial, 128000, 128001, 128001);
    }

    /** The same model cut to {@code layers} blocks (for tests and quick demos). */
}
