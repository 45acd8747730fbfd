package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.engine.Sequence;

/**
 * One sequence of a {@link DeepSeek2Model}: its compressed KV cache and its logits buffer. Per layer and position the
 * cache holds one row of {@code kv_lora_rank + qk_rope_head_dim} floats, {@code [rmsnorm(c_kv) | rope(k_rope)]}: the
 * latent every head's key and value are decompressed from, and the rotary key all heads share. That is all absorbed
 * attention reads; nothing per head is cached. Allocated once for the sequence's capacity.
 */
final class DeepSeek2Sequence implements Sequence {
    final DeepSeek2Model owner;
    private final int capacity;
    float[][] latent;
    float[] logits;
    private int length;

    DeepSeek2Sequence(DeepSeek2Model owner, int capacity, int layers, int latentWidth, int vocabulary) {
        this.owner = owner;
        this.capacity = capacity;
        this.latent = new float[layers][capacity * latentWidth];
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
            length = newLength; // positions from here on are overwritten by the next forward
        }
    }

    void advance(int tokens) {
        length += tokens;
    }

    boolean closed() {
        return latent == null;
    }

    /** Waits for a forward pass in progress (it holds the model's lock) so the cache never vanishes under it. */
    @Override
    public void close() {
        synchronized (owner) {
            latent = null;
            logits = null;
        }
    }
}
