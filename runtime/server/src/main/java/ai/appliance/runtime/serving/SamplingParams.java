package ai.appliance.runtime.serving;

/**
 * Sampler settings from a request; the engine's sampler interprets them.
 *
 * @param temperature      0 means greedy
 * @param seed             null for a random seed
 * @param presencePenalty  OpenAI's presence_penalty (-2..2): subtracted once from the logit of every token seen
 * @param frequencyPenalty OpenAI's frequency_penalty (-2..2): subtracted per occurrence
 */
public record SamplingParams(double temperature, double topP, int topK, Long seed, double presencePenalty,
                             double frequencyPenalty) {

    public static final SamplingParams DEFAULT = new SamplingParams(0.6, 0.95, 0, null);

    public SamplingParams(double temperature, double topP, int topK, Long seed) {
        this(temperature, topP, topK, seed, 0, 0);
    }
}
