package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.engine.CachedSequence;

/**
 * One sequence of a {@link LlamaTransformer}: its F32 KV cache (per layer, one row of kvHeads·headDim
 * floats per position), allocated once for the sequence's capacity, and its logits buffer.
 */
final class LlamaSequence extends CachedSequence {
    float[][] keys;
    float[][] values;

    LlamaSequence(LlamaTransformer owner, int capacity, int layers, int kvWidth, int vocabulary) {
        super(owner, capacity, vocabulary);
        this.keys = new float[layers][capacity * kvWidth];
        this.values = new float[layers][capacity * kvWidth];
    }

    @Override
    protected void releaseCache() {
        keys = null;
        values = null;
    }
}
