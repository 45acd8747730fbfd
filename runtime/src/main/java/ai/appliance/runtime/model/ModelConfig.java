package ai.appliance.runtime.model;

/**
 * Hyper-parameters of a decoder-only transformer, the same whether read from a GGUF file or a
 * Hugging Face config.json.
 *
 * @param ropeScaling   Llama-3 scaling, or null when frequencies are unscaled
 * @param ropeFrequencyFactors per-frequency divisors from a GGUF {@code rope_freqs} tensor (headDim/2 values),
 *                      or null; when present they take precedence over {@code ropeScaling}
 * @param contextLength the model's maximum context (max_position_embeddings / context_length)
 */
public record ModelConfig(
        Architecture architecture,
        int vocabularySize,
        int embeddingLength,
        int feedForwardLength,
        int layerCount,
        int headCount,
        int keyValueHeadCount,
        int headDimension,
        float rmsNormEpsilon,
        double ropeTheta,
        RopeStyle ropeStyle,
        RopeScaling ropeScaling,
        float[] ropeFrequencyFactors,
        int contextLength,
        boolean tiedEmbeddings) {
}
