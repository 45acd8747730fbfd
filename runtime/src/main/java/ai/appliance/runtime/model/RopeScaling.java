package ai.appliance.runtime.model;

/** Llama-3 ("llama3") frequency scaling of RoPE, as in config.json's rope_scaling. */
public record RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalContextLength) {
}
