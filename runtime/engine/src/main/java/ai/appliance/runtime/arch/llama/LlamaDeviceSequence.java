package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.backend.DeviceCompute;
import ai.appliance.runtime.engine.CachedSequence;
import ai.appliance.runtime.engine.KvRows;

/** One sequence of a {@link LlamaDeviceTransformer}: its KV cache in device memory, and its logits on the heap. */
final class LlamaDeviceSequence extends CachedSequence {
    DeviceCompute.KvCache cache;

    LlamaDeviceSequence(LlamaDeviceTransformer owner, DeviceCompute.KvCache cache, int vocabulary) {
        super(owner, cache.capacity(), vocabulary);
        this.cache = cache;
    }

    /** Device caches are not copied to the heap: {@link #copiesRows()} is false, so nobody asks. */
    @Override
    protected KvRows readRows(int from, int count) {
        throw new UnsupportedOperationException("a device KV cache cannot copy its rows");
    }

    @Override
    protected void writeRows(KvRows rows) {
        throw new UnsupportedOperationException("a device KV cache cannot take copied rows");
    }

    @Override
    protected void releaseCache() {
        cache.close();
        cache = null;
    }
}
