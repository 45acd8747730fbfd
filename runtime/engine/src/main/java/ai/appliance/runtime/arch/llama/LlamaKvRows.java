package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.engine.KvRows;
import ai.appliance.runtime.engine.LanguageModel;

/**
 * Keys and values of {@code count} positions of a {@link LlamaSequence}: per layer, {@code count} rows of
 * kvHeads·headDim floats each, keys already rotated for their positions.
 */
record LlamaKvRows(LanguageModel source, int start, int count, float[][] keys, float[][] values) implements KvRows {

    @Override
    public long bytes() {
        long floats = 0;
        for (int layer = 0; layer < keys.length; layer++) floats += keys[layer].length + values[layer].length;
        return floats * Float.BYTES;
    }
}
