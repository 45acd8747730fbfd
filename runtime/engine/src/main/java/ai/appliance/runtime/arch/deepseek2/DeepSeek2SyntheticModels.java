package ai.appliance.runtime.arch.deepseek2;

import static ai.appliance.runtime.synth.SyntheticModelSpec.ASSISTANT;
import static ai.appliance.runtime.synth.SyntheticModelSpec.BOS;
import static ai.appliance.runtime.synth.SyntheticModelSpec.EOS;
import static ai.appliance.runtime.synth.SyntheticModelSpec.PAD;
import static ai.appliance.runtime.synth.SyntheticModelSpec.USER;

import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Scoring;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Selection;
import ai.appliance.runtime.model.RopeStyle;
import ai.appliance.runtime.synth.SyntheticModelSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/** The full DeepSeek models synth writes, with their real shapes and hyper-parameters (config.json on the hub). */
final class DeepSeek2SyntheticModels {
    private DeepSeek2SyntheticModels() {
    }

    static List<SyntheticModelSpec> all(DeepSeek2Architecture architecture) {
        return List.of(v2Lite(architecture), v3(architecture));
    }

    /**
     * DeepSeek-V2-Lite (16B, 2.4B active): no q LoRA, 64 experts of which 6 per token plus 2 shared, softmax routing
     * without groups or renormalisation, YaRN ×40 over 4096 positions. BOS/EOS ids are the real tokenizer's
     * (100000/100001, after its 100000 BPE tokens); the chat tokens sit in the added-token range after them.
     */
    static SyntheticModelSpec v2Lite(DeepSeek2Architecture architecture) {
        var config = new DeepSeek2Config(102400, 2048, 27, 16, 0, 512, 128, 64, 128, 10944, 1408, 64, 2, 6, 1, 1,
                false, 1.0f, Scoring.SOFTMAX, Selection.GREEDY, 1, 1e-6f, 10000.0, RopeStyle.ADJACENT,
                new YarnScaling(40, 4096, 32, 1, 0.707, 0.707), 163840, false);
        var specials = new LinkedHashMap<Integer, String>();
        specials.put(100000, BOS);
        specials.put(100001, EOS);
        specials.put(100002, "<\uFF5Cfim\u2581hole\uFF5C>");
        specials.put(100003, "<\uFF5Cfim\u2581begin\uFF5C>");
        specials.put(100004, "<\uFF5Cfim\u2581end\uFF5C>");
        specials.put(100006, USER);
        specials.put(100007, ASSISTANT);
        specials.put(100015, PAD);
        return new SyntheticModelSpec("deepseek-v2-lite", "DeepSeek-V2-Lite", config.validate(java.nio.file.Path.of("deepseek-v2-lite")),
                architecture, 100000, specials, Set.of(USER, ASSISTANT), 100000, 100001, 100001);
    }

    /**
     * DeepSeek-V3 / R1 (671B, 37B active; the multi-token-prediction layer is not part of it): q LoRA 1536, 256
     * experts of which 8 per token from the 4 best of 8 groups, sigmoid scoring with correction bias, weights
     * renormalised and scaled by 2.5, YaRN ×40 over 4096 positions. Special tokens at R1's ids: BOS 0, EOS 1, pad 2,
     * placeholders from 128000, {@code <think>} 128798, the chat and tool tokens from 128800.
     */
    static SyntheticModelSpec v3(DeepSeek2Architecture architecture) {
        var config = new DeepSeek2Config(129280, 7168, 61, 128, 1536, 512, 128, 64, 128, 18432, 2048, 256, 1, 8, 8, 4,
                true, 2.5f, Scoring.SIGMOID, Selection.NOAUX_TC, 3, 1e-6f, 10000.0, RopeStyle.ADJACENT,
                new YarnScaling(40, 4096, 32, 1, 1.0, 1.0), 163840, false);
        var specials = new LinkedHashMap<Integer, String>();
        specials.put(0, BOS);
        specials.put(1, EOS);
        specials.put(2, PAD);
        for (int id = 128000; id < 128798; id++) specials.put(id, "<\uFF5Cplace\u2581holder\u2581no\u2581" + (id - 128000) + "\uFF5C>");
        specials.put(128798, "<think>");
        specials.put(128799, "</think>");
        String[] named = {"fim\u2581hole", "fim\u2581begin", "fim\u2581end", "User", "Assistant", null, "tool\u2581calls\u2581begin",
                "tool\u2581calls\u2581end", "tool\u2581call\u2581begin", "tool\u2581call\u2581end", "tool\u2581outputs\u2581begin",
                "tool\u2581outputs\u2581end", "tool\u2581output\u2581begin", "tool\u2581output\u2581end", "tool\u2581sep"};
        for (int i = 0; i < named.length; i++) {
            specials.put(128800 + i, named[i] == null ? "<|EOT|>" : "<\uFF5C" + named[i] + "\uFF5C>");
        }
        return new SyntheticModelSpec("deepseek-v3", "DeepSeek-V3", config.validate(java.nio.file.Path.of("deepseek-v3")),
                architecture, 128000, specials, Set.of(USER, ASSISTANT, "<think>", "</think>"), 0, 1, 1);
    }
}
