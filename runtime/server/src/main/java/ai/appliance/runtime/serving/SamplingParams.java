package ai.appliance.runtime.serving;

/**
 * Sampler settings from a request; the engine's sampler interprets them.
 *
 * @param temperature 0 means greedy
 * @param seed        null for a random seed
 */
public record SamplingParams(double temperature, double topP, int topK, Long seed) {

    public static final SamplingParams DEFAULT = new SamplingParams(0.6, 0.95, 0, null);
}
