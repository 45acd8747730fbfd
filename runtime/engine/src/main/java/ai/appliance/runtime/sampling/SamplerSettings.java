package ai.appliance.runtime.sampling;

/**
 * How to pick the next token from logits.
 *
 * @param temperature       0 picks the most likely token (greedy); otherwise logits are divided by it
 * @param topK              keep the k most likely tokens; 0 keeps all
 * @param topP              keep the smallest set of most likely tokens whose probability reaches p; 1 keeps all
 * @param minP              drop tokens less likely than minP times the most likely one; 0 keeps all
 * @param repetitionPenalty divides positive (multiplies negative) logits of tokens in the penalty window; 1 = off
 * @param presencePenalty   subtracted once from the logit of every token in the window; 0 = off
 * @param frequencyPenalty  subtracted per occurrence in the window; 0 = off
 * @param penaltyWindow     how many of the latest context tokens the penalties look at; -1 = the whole context
 * @param seed              seed of the random choice, for reproducible output; null draws a fresh seed
 */
public record SamplerSettings(double temperature, int topK, double topP, double minP,
                              double repetitionPenalty, double presencePenalty, double frequencyPenalty,
                              int penaltyWindow, Long seed) {

    public SamplerSettings {
        check(temperature >= 0 && Double.isFinite(temperature), "temperature must be 0 or more, got " + temperature);
        check(topK >= 0, "top-k must be 0 (off) or more, got " + topK);
        check(topP > 0 && topP <= 1, "top-p must be in (0, 1], got " + topP);
        check(minP >= 0 && minP <= 1, "min-p must be in [0, 1], got " + minP);
        check(repetitionPenalty > 0 && Double.isFinite(repetitionPenalty), "repetition penalty must be above 0, got " + repetitionPenalty);
        check(Double.isFinite(presencePenalty), "presence penalty must be a finite number");
        check(Double.isFinite(frequencyPenalty), "frequency penalty must be a finite number");
        check(penaltyWindow >= -1, "penalty window must be -1 (whole context), 0 (off) or more, got " + penaltyWindow);
    }

    private static void check(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** Always the most likely token. */
    public static SamplerSettings greedy() {
        return builder().temperature(0).build();
    }

    public boolean isGreedy() {
        return temperature == 0 || topK == 1;
    }

    boolean penalises() {
        return penaltyWindow != 0 && (repetitionPenalty != 1 || presencePenalty != 0 || frequencyPenalty != 0);
    }

    /** Starts from DeepSeek-R1's recommended sampling: temperature 0.6, top-p 0.95, no penalties. */
    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        return new Builder().temperature(temperature).topK(topK).topP(topP).minP(minP)
                .repetitionPenalty(repetitionPenalty).presencePenalty(presencePenalty)
                .frequencyPenalty(frequencyPenalty).penaltyWindow(penaltyWindow).seed(seed);
    }

    public static final class Builder {
        private double temperature = 0.6;
        private int topK;
        private double topP = 0.95;
        private double minP;
        private double repetitionPenalty = 1;
        private double presencePenalty;
        private double frequencyPenalty;
        private int penaltyWindow = 64;
        private Long seed;

        private Builder() {
        }

        public Builder temperature(double v) { temperature = v; return this; }
        public Builder topK(int v) { topK = v; return this; }
        public Builder topP(double v) { topP = v; return this; }
        public Builder minP(double v) { minP = v; return this; }
        public Builder repetitionPenalty(double v) { repetitionPenalty = v; return this; }
        public Builder presencePenalty(double v) { presencePenalty = v; return this; }
        public Builder frequencyPenalty(double v) { frequencyPenalty = v; return this; }
        public Builder penaltyWindow(int v) { penaltyWindow = v; return this; }
        public Builder seed(Long v) { seed = v; return this; }

        public SamplerSettings build() {
            return new SamplerSettings(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                    frequencyPenalty, penaltyWindow, seed);
        }
    }
}
