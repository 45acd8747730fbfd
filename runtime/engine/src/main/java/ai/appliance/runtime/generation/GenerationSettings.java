package ai.appliance.runtime.generation;

import ai.appliance.runtime.sampling.SamplerSettings;
import java.util.List;
import java.util.Set;

/**
 * One request's generation settings.
 *
 * @param maxTokens   most new tokens to generate
 * @param stopStrings texts that end the generation; the matched text is not part of the output
 * @param stopTokens  token ids that end it (end-of-sequence, end-of-turn); they produce no text
 */
public record GenerationSettings(SamplerSettings sampler, int maxTokens, List<String> stopStrings, Set<Integer> stopTokens) {

    public GenerationSettings {
        if (sampler == null) throw new IllegalArgumentException("sampler settings are required");
        if (maxTokens < 1) throw new IllegalArgumentException("max tokens must be at least 1, got " + maxTokens);
        stopStrings = List.copyOf(stopStrings);
        for (var s : stopStrings) if (s.isEmpty()) throw new IllegalArgumentException("a stop string must not be empty");
        stopTokens = Set.copyOf(stopTokens);
    }
}
