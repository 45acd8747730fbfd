package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.engine.CachedSequence;
import ai.appliance.runtime.engine.KvRows;
import java.util.Arrays;

/**
 * One sequence of a {@link DeepSeek2Model}: its compressed KV cache and its logits buffer. Per layer and position the
 * cache holds one row of {@code kv_lora_rank + qk_rope_head_dim} floats, {@code [rmsnorm(c_kv) | rope(k_rope)]}: the
 * latent every head's key and value are decompressed from, and the rotary key all heads share. That is all absorbed
 * attention reads; nothing per head is cached. Allocated once for the sequence's capacity.
 */
final class DeepSeek2Sequence extends CachedSequence {
    private final DeepSeek2Model model;
    private final int latentWidth;
    float[][] latent;

    DeepSeek2Sequence(DeepSeek2Model owner, int capacity, int layers, int latentWidth, int vocabulary) {
        super(owner, capacity, vocabulary);
        this.model = owner;
        this.latentWidth = latentWidth;
        this.latent = new float[layers][capacity * latentWidth];
    }

    @Override
    public boolean copiesRows() {
        return true;
    }

    @Override
    protected KvRows readRows(int from, int count) {
        var rows = new float[latent.length][];
        for (int layer = 0; layer < latent.length; layer++) {
            rows[layer] = Arrays.copyOfRange(latent[layer], from * latentWidth, (from + count) * latentWidth);
        }
        return new DeepSeek2LatentRows(model, from, count, rows);
    }

    @Override
    protected void writeRows(KvRows rows) {
        if (!(rows instanceof DeepSeek2LatentRows r) || r.latent().length != latent.length
                || r.latent()[0].length != r.count() * latentWidth) {
            throw new IllegalArgumentException("the rows do not have this model's cache layout");
        }
        for (int layer = 0; layer < latent.length; layer++) {
            System.arraycopy(r.latent()[layer], 0, latent[layer], r.start() * latentWidth, r.count() * latentWidth);
        }
    }

    @Override
    protected void releaseCache() {
        latent = null;
    }
}
