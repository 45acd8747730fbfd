package ai.appliance.runtime.arch.llama;

/** Llama-3 ("llama3") frequency scaling of RoPE, as in config.json's rope_scaling. */
public record Llama3RopeScaling(double factor, double lowFreqFactor, double highFreqFactor, int originalContextLength) {
}
