package ai.appliance.sync.publish;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.util.Sha256;

import java.io.IOException;

/**
 * Checks a chunk already in a store against its name. A chunk is named by the SHA-256 of its bytes, so reading it
 * back and hashing it is the whole check; no separate checksum has to be kept in step. Publishing checks each chunk
 * it would reuse, so a damaged or truncated object is replaced instead of being named by a new manifest no device
 * could install.
 */
public final class StoredChunks {
    /** What a stored chunk turned out to be. */
    public enum State { INTACT, MISSING, DAMAGED }

    private final ObjectStore store;

    public StoredChunks(ObjectStore store) {
        this.store = store;
    }

    public State check(String id) {
        try (var in = store.openFrom(StoreKeys.chunk(id), 0)) {
            return Sha256.ofStream(in).equals(id) ? State.INTACT : State.DAMAGED;
        } catch (SyncException.NotFound e) {
            return State.MISSING;
        } catch (IOException e) {
            throw new SyncException.StoreUnavailable(store.describe() + ": cannot read chunk " + id + ": " + e.getMessage(), e);
        }
    }
}
