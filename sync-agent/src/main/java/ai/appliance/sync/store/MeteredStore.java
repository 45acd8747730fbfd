package ai.appliance.sync.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;

/** Counts requests and bytes that cross a store boundary (tests and benchmarks measure updates with it). */
public final class MeteredStore implements ObjectStore {
    private final ObjectStore delegate;
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();

    public MeteredStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    public long bytesRead() { return bytesRead.get(); }
    public long bytesWritten() { return bytesWritten.get(); }
    public long requests() { return requests.get(); }

    public void reset() {
        bytesRead.set(0);
        bytesWritten.set(0);
        requests.set(0);
    }

    @Override public String describe() { return delegate.describe(); }
    @Override public String answering() { return delegate.answering(); }

    @Override
    public Optional<byte[]> get(String key) {
        requests.incrementAndGet();
        var r = delegate.get(key);
        r.ifPresent(b -> bytesRead.addAndGet(b.length));
        return r;
    }

    @Override
    public byte[] getFrom(String key, long offset) {
        requests.incrementAndGet();
        var b = delegate.getFrom(key, offset);
        bytesRead.addAndGet(b.length);
        return b;
    }

    @Override
    public OptionalLong size(String key) {
        requests.incrementAndGet();
        return delegate.size(key);
    }

    @Override
    public void put(String key, byte[] data) {
        requests.incrementAndGet();
        delegate.put(key, data);
        bytesWritten.addAndGet(data.length);
    }

    @Override
    public void put(String key, Path file) {
        requests.incrementAndGet();
        delegate.put(key, file);
        try {
            bytesWritten.addAndGet(Files.size(file));
        } catch (java.io.IOException ignored) {
            // The upload succeeded; a failed size read only affects the counter.
        }
    }

    @Override
    public List<String> list(String prefix) {
        requests.incrementAndGet();
        return delegate.list(prefix);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
