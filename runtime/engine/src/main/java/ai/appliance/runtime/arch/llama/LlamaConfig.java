package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.model.RopeStyle;

/**
 * Hyper-parameters of a Llama-3 or Qwen2 model, the same whether read from a GGUF file or a
 * Hugging Face config.json.
 *
 * @param ropeScaling   Llama-3 scaling, or null when frequencies are unscaled
 * @param ropeFrequencyFactors per-frequency divisors from a GGUF {@code rope_freqs} tensor (headDim/2 values),
 *                      or null; when present they take precedence over {@code ropeScaling}
 * @param contextLength the model's maximum context (max_position_embeddings / context_length)
 */
public record LlamaConfig(
        LlamaVariant variant,
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
        Llama3RopeScaling ropeScaling,
        float[] ropeFrequencyFactors,
        int contextLength,
        boolean tiedEmbeddings) implements ModelConfig {

    @Override
    public String architecture() {
        return variant.ggufName();
    }

    @Override
    public java.util.Map<String, Object> describe() {
        var m = new java.util.LinkedHashMap<String, Object>();
        m.put("architecture", architecture());
        m.put("vocabularySize", vocabularySize);
        m.put("embeddingLength", embeddingLength);
        m.put("feedForwardLength", feedForwardLength);
        m.put("layerCount", layerCount);
        m.put("headCount", headCount);
        m.put("keyValueHeadCount", keyValueHeadCount);
        m.put("headDimension", headDimension);
        m.put("rmsNormEpsilon", rmsNormEpsilon);
        m.put("ropeTheta", ropeTheta);
        m.put("ropeScaling", String.valueOf(ropeScaling));
        m.put("contextLength", contextLength);
        m.put("tiedEmbeddings", tiedEmbeddings);
        m.put("kvCacheBytesPerToken", kvCacheBytesPerToken());
        return m;
    }

    @Override
    public long kvCacheBytesPerToken() {
        return 2L * layerCount * keyValueHeadCount * headDimension * Float.BYTES;
    }

    /** The same config with the output projection tied to the embeddings. */
    LlamaConfig withTiedEmbeddings() {
        return new LlamaConfig(variant, vocabularySize, embeddingLength, feedForwardLength, layerCount, headCount,
                keyValueHeadCount, headDimension, rmsNormEpsilon, ropeTheta, ropeStyle, ropeScaling, ropeFrequencyFactors,
                contextLength, true);
    }

    /** The same config cut to {@code layers} blocks. */
    public LlamaConfig withLayerCount(int layers) {
        return new LlamaConfig(variant, vocabularySize, embeddingLength, feedForwardLength, layers, headCount,
                keyValueHeadCount, headDimension, rmsNormEpsilon, ropeTheta, ropeStyle, ropeScaling, ropeFrequencyFactors,
                contextLength, tiedEmbeddings);
    }
}
