package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.engine.CachedSequence;
import ai.appliance.runtime.engine.KvRows;
import java.util.Arrays;

/**
 * One sequence of a {@link LlamaTransformer}: its F32 KV cache (per layer, one row of kvHeads·headDim
 * floats per position), allocated once for the sequence's capacity, and its logits buffer.
 */
final class LlamaSequence extends CachedSequence {
    private final LlamaTransformer model;
    private final int kvWidth;
    float[][] keys;
    float[][] values;

    LlamaSequence(LlamaTransformer owner, int capacity, int layers, int kvWidth, int vocabulary) {
        super(owner, capacity, vocabulary);
        this.model = owner;
        this.kvWidth = kvWidth;
        this.keys = new float[layers][capacity * kvWidth];
        this.values = new float[layers][capacity * kvWidth];
    }

    @Override
    public boolean copiesRows() {
        return true;
    }

    @Override
    protected KvRows readRows(int from, int count) {
        var k = new float[keys.length][];
        var v = new float[values.length][];
        for (int layer = 0; layer < keys.length; layer++) {
            k[layer] = Arrays.copyOfRange(keys[layer], from * kvWidth, (from + count) * kvWidth);
            v[layer] = Arrays.copyOfRange(values[layer], from * kvWidth, (from + count) * kvWidth);
        }
        return new LlamaKvRows(model, from, count, k, v);
    }

    @Override
    protected void writeRows(KvRows rows) {
        if (!(rows instanceof LlamaKvRows r) || r.keys().length != keys.length
                || r.keys()[0].length != r.count() * kvWidth) {
            throw new IllegalArgumentException("the rows do not have this model's cache layout");
        }
        for (int layer = 0; layer < keys.length; layer++) {
            System.arraycopy(r.keys()[layer], 0, keys[layer], r.start() * kvWidth, r.count() * kvWidth);
            System.arraycopy(r.values()[layer], 0, values[layer], r.start() * kvWidth, r.count() * kvWidth);
        }
    }

    @Override
    protected void releaseCache() {
        keys = null;
        values = null;
    }
}
