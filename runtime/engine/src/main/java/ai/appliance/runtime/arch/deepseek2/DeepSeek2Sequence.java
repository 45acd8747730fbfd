package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.engine.CachedSequence;

/**
 * One sequence of a {@link DeepSeek2Model}: its compressed KV cache and its logits buffer. Per layer and position the
 * cache holds one row of {@code kv_lora_rank + qk_rope_head_dim} floats, {@code [rmsnorm(c_kv) | rope(k_rope)]}: the
 * latent every head's key and value are decompressed from, and the rotary key all heads share. That is all absorbed
 * attention reads; nothing per head is cached. Allocated once for the sequence's capacity.
 */
final class DeepSeek2Sequence extends CachedSequence {
    float[][] latent;

    DeepSeek2Sequence(DeepSeek2Model owner, int capacity, int layers, int latentWidth, int vocabulary) {
        super(owner, capacity, vocabulary);
        this.latent = new float[layers][capacity * latentWidth];
    }

    @Override
    protected void releaseCache() {
        latent = null;
    }
}
