package ai.appliance.runtime.synth;

import ai.appliance.runtime.model.ModelConfig;
import java.util.Map;
import java.util.Set;

/**
 * The exact shapes, hyper-parameters and special tokens of a real DeepSeek model, from which
 * {@link SyntheticModelWriter} makes a random-weight GGUF of the same size for demos and benchmarks.
 *
 * @param regularVocabulary ids below this hold byte tokens, merge results and filler, except the ids of special tokens
 *                          placed there (DeepSeek-V3's BOS 0 and EOS 1); the other special tokens start here
 * @param specialTokens     id → content of added tokens
 * @param nonSpecial        added tokens that are not special (written USER_DEFINED unless they look special)
 */
public record SyntheticModelSpec(String id, String displayName, ModelConfig config, SyntheticArchitecture architecture,
                                 int regularVocabulary, Map<Integer, String> specialTokens, Set<String> nonSpecial,
                                 int bosId, int eosId, int padId) {

    public static final String BOS = "<\uFF5Cbegin\u2581of\u2581sentence\uFF5C>";
    public static final String EOS = "<\uFF5Cend\u2581of\u2581sentence\uFF5C>";
    public static final String USER = "<\uFF5CUser\uFF5C>";
    public static final String ASSISTANT = "<\uFF5CAssistant\uFF5C>";
    public static final String PAD = "<\uFF5C\u2581pad\u2581\uFF5C>";

    /** The same model cut to {@code layers} blocks (for tests and quick demos). */
    public SyntheticModelSpec withLayers(int layers) {
        return new SyntheticModelSpec(id, displayName, architecture.withLayerCount(config, layers), architecture,
                regularVocabulary, specialTokens, nonSpecial, bosId, eosId, padId);
    }
}
