package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.backend.DeviceCompute;
import ai.appliance.runtime.engine.CachedSequence;

/** One sequence of a {@link LlamaDeviceTransformer}: its KV cache in device memory, and its logits on the heap. */
final class LlamaDeviceSequence extends CachedSequence {
    DeviceCompute.KvCache cache;

    LlamaDeviceSequence(LlamaDeviceTransformer owner, DeviceCompute.KvCache cache, int vocabulary) {
        super(owner, cache.capacity(), vocabulary);
        this.cache = cache;
    }

    @Override
    protected void releaseCache() {
        cache.close();
        cache = null;
    }
}
