package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.model.RopeStyle;
import ai.appliance.runtime.tensor.GgmlType;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Derives the {@link LlamaConfig} of a Llama or Qwen2 GGUF file from its {@code <arch>.*} metadata.
 *
 * <p>RoPE style: llama.cpp's converter permutes the q/k rows of Llama models so that adjacent
 * dimensions rotate together, so Llama GGUFs are {@link RopeStyle#ADJACENT}; Qwen2 GGUFs keep the
 * Hugging Face layout, {@link RopeStyle#HALVES}. Llama-3 frequency scaling comes as the
 * {@code rope_freqs.weight} tensor (per-frequency divisors), copied into
 * {@link ModelConfig#ropeFrequencyFactors()}.
 */
final class LlamaGgufConfig {
    public static final String ROPE_FREQS = "rope_freqs.weight";

    private LlamaGgufConfig() {
    }

    static LlamaConfig read(GgufFile gguf) {
        var file = gguf.path();
        var archName = gguf.getString("general.architecture");
        var architecture = LlamaVariant.byGgufName(archName);
        var p = archName + ".";
        int hidden = gguf.getInt(p + "embedding_length");
        int heads = gguf.getInt(p + "attention.head_count");
        int kvHeads = gguf.getInt(p + "attention.head_count_kv", heads);
        int headDim = gguf.getInt(p + "attention.key_length", heads > 0 ? hidden / heads : 0);
        var embedding = gguf.tensor(LlamaTensorNames.GGUF.embedding());
        long vocab = gguf.has(p + "vocab_size") ? gguf.getLong(p + "vocab_size") : embedding.shape()[0];
        if (vocab <= 0 || vocab > Integer.MAX_VALUE) throw new ModelFormatException(file, "vocabulary size " + vocab);
        if (gguf.has(p + "rope.scaling.type")) {
            var scaling = gguf.getString(p + "rope.scaling.type");
            if (!scaling.equals("none")) {
                throw new ModelFormatException(file, "RoPE scaling type '" + scaling + "' is not supported");
            }
        }
        var config = new LlamaConfig(architecture,
                (int) vocab,
                hidden,
                gguf.getInt(p + "feed_forward_length"),
                gguf.getInt(p + "block_count"),
                heads, kvHeads, headDim,
                gguf.getFloat(p + "attention.layer_norm_rms_epsilon"),
                gguf.getDouble(p + "rope.freq_base", 10000.0),
                architecture == LlamaVariant.LLAMA ? RopeStyle.ADJACENT : RopeStyle.HALVES,
                null,
                ropeFrequencyFactors(gguf),
                gguf.getInt(p + "context_length"),
                gguf.tensorOrNull(LlamaTensorNames.GGUF.output()) == null);
        LlamaConfigChecks.validate(file, config);
        return config;
    }

    private static float[] ropeFrequencyFactors(GgufFile gguf) {
        var t = gguf.tensorOrNull(ROPE_FREQS);
        if (t == null) return null;
        if (t.type() != GgmlType.F32 || t.shape().length != 1) {
            throw new ModelFormatException(gguf.path(), "tensor '" + ROPE_FREQS + "' must be a 1-D F32 tensor, is " + t);
        }
        var factors = t.data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
        for (float f : factors) {
            if (!(f > 0) || !Float.isFinite(f)) {
                throw new ModelFormatException(gguf.path(), "tensor '" + ROPE_FREQS + "' holds " + f + ", not a positive factor");
            }
        }
        return factors;
    }
}
