package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.engine.Sequence;

/**
 * One sequence of a {@link LlamaTransformer}: its F32 KV cache (per layer, one row of kvHeads·headDim
 * floats per position), allocated once for the sequence's capacity, and its logits buffer.
 */
final class LlamaSequence implements Sequence {
    final LlamaTransformer owner;
    private final int capacity;
    float[][] keys;
    float[][] values;
    float[] logits;
    private int length;

    LlamaSequence(LlamaTransformer owner, int capacity, int layers, int kvWidth, int vocabulary) {
        this.owner = owner;
        this.capacity = capacity;
        this.keys = new float[layers][capacity * kvWidth];
        this.values = new float[layers][capacity * kvWidth];
        this.logits = new float[vocabulary];
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void truncate(int newLength) {
        synchronized (owner) {
            if (newLength < 0 || newLength > length) {
                throw new IllegalArgumentException("cannot truncate a sequence of " + length + " positions to " + newLength);
            }
            length = newLength; // positions from here on are simply overwritten by the next forward
        }
    }

    void advance(int tokens) {
        length += tokens;
    }

    boolean closed() {
        return keys == null;
    }

    /** Waits for a forward pass in progress (it holds the model's lock) so the cache never vanishes under it. */
    @Override
    public void close() {
        synchronized (owner) {
            keys = null;
            values = null;
            logits = null;
        }
    }
}
