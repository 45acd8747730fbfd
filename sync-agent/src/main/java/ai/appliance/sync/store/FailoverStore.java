package ai.appliance.sync.store;

import ai.appliance.sync.SyncException;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An ordered list of stores read as one: each read starts at the store that last answered and moves to the
 * next when one is unreachable or lacks the object (a DR replica may lag). Writes go to the first that answers.
 */
public final class FailoverStore implements ObjectStore {
    private final List<ObjectStore> stores;
    private final AtomicInteger preferred = new AtomicInteger();

    public FailoverStore(List<ObjectStore> stores) {
        if (stores.isEmpty()) throw new SyncException.UsageError("no store given");
        this.stores = List.copyOf(stores);
    }

    public List<ObjectStore> stores() {
        return stores;
    }

    /** The store that answered last (for status). */
    public ObjectStore current() {
        return stores.get(preferred.get());
    }

    @Override
    public String answering() {
        return current().describe();
    }

    @Override
    public String describe() {
        return stores.stream().map(ObjectStore::describe).collect(Collectors.joining(" → "));
    }

    private <T> T first(Function<ObjectStore, Optional<T>> op, String key) {
        SyncException.StoreUnavailable lastDown = null;
        boolean answeredAbsent = false;
        int start = preferred.get();
        for (int i = 0; i < stores.size(); i++) {
            int idx = (start + i) % stores.size();
            try {
                var r = op.apply(stores.get(idx));
                if (r.isPresent()) {
                    preferred.set(idx);
                    return r.get();
                }
                answeredAbsent = true;
            } catch (SyncException.StoreUnavailable e) {
                lastDown = e;
            } catch (SyncException.NotFound e) {
                answeredAbsent = true; // try the next replica
            }
        }
        // A store that answered "absent" is an answer: we are not offline, the object just is not there (yet).
        if (lastDown != null && !answeredAbsent) {
            throw new SyncException.StoreUnavailable("no store answered for " + key + " (" + describe() + "); last error: " + lastDown.getMessage(), lastDown);
        }
        return null;
    }

    @Override
    public Optional<byte[]> get(String key) {
        return Optional.ofNullable(first(s -> s.get(key), key));
    }

    @Override
    public byte[] getFrom(String key, long offset) {
        var r = first(s -> Optional.of(s.getFrom(key, offset)), key);
        if (r == null) throw new SyncException.NotFound(describe() + ": no object " + key);
        return r;
    }

    @Override
    public OptionalLong size(String key) {
        Long r = first(s -> {
            var size = s.size(key);
            return size.isPresent() ? Optional.of(size.getAsLong()) : Optional.empty();
        }, key);
        return r == null ? OptionalLong.empty() : OptionalLong.of(r);
    }

    @Override
    public void put(String key, byte[] data) {
        first(s -> {
            s.put(key, data);
            return Optional.of(Boolean.TRUE);
        }, key);
    }

    @Override
    public void put(String key, Path file) {
        first(s -> {
            s.put(key, file);
            return Optional.of(Boolean.TRUE);
        }, key);
    }

    @Override
    public List<String> list(String prefix) {
        var r = first(s -> Optional.of(s.list(prefix)), prefix);
        return r == null ? List.of() : r;
    }

    @Override
    public void close() {
        stores.forEach(ObjectStore::close);
    }
}
