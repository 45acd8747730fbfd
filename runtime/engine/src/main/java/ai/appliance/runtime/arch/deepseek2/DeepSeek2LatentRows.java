package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.engine.KvRows;
import ai.appliance.runtime.engine.LanguageModel;

/**
 * The compressed cache of {@code count} positions of a {@link DeepSeek2Sequence}: per layer, {@code count} rows of
 * {@code [rmsnorm(c_kv) | rope(k_rope)]}, the rotary part already rotated for its positions.
 */
record DeepSeek2LatentRows(LanguageModel source, int start, int count, float[][] latent) implements KvRows {

    @Override
    public long bytes() {
        long floats = 0;
        for (var layer : latent) floats += layer.length;
        return floats * Float.BYTES;
    }
}
