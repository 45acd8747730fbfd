package ai.appliance.sync.trust;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.util.AtomicFiles;
import ai.appliance.sync.util.Json;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The highest serials this device has accepted (meta/trusted.json). Persisted before anything is activated,
 * so a restart cannot be talked into an older root, manifest or channel pointer.
 */
public final class TrustState {
    public record ModelSerials(long manifestSerial, long channelSerial) {}

    /** {@code rootKeys}: base64 raw keys that sign the next root (empty = the pinned key). */
    public record Snapshot(long rootSerial, Map<String, ModelSerials> models, java.util.List<String> rootKeys) {}

    private final Path file;
    private Snapshot snapshot;

    private TrustState(Path file, Snapshot snapshot) {
        this.file = file;
        this.snapshot = snapshot;
    }

    public static TrustState load(Path file) {
        if (!Files.exists(file)) return new TrustState(file, new Snapshot(0, new HashMap<>(), java.util.List.of()));
        try {
            var s = Json.read(Files.readAllBytes(file), Snapshot.class, file.toString());
            return new TrustState(file, new Snapshot(s.rootSerial(), new HashMap<>(s.models() == null ? Map.of() : s.models()),
                    s.rootKeys() == null ? java.util.List.of() : s.rootKeys()));
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public synchronized long rootSerial() {
        return snapshot.rootSerial();
    }

    public synchronized ModelSerials model(String model) {
        return snapshot.models().getOrDefault(model, new ModelSerials(0, 0));
    }

    public synchronized void checkRoot(long serial, String what) {
        if (serial < snapshot.rootSerial()) {
            throw new SyncException.RollbackRejected(what + ": root serial " + serial + " is lower than the trusted " + snapshot.rootSerial());
        }
    }

    public synchronized void checkManifest(String model, long serial, String what) {
        long have = model(model).manifestSerial();
        if (serial < have) {
            throw new SyncException.RollbackRejected(what + ": serial " + serial + " is lower than the installed serial " + have
                    + " (rollback refused; publish the old content under a new version instead)");
        }
    }

    public synchronized void checkChannel(String model, long serial, String what) {
        long have = model(model).channelSerial();
        if (serial < have) {
            throw new SyncException.RollbackRejected(what + ": channel serial " + serial + " is lower than the last seen " + have + " (replayed pointer refused)");
        }
    }

    /** Keys that sign the next root, as persisted; empty means the pinned key. */
    public synchronized java.util.List<Ed25519.PublicKey> rootKeys() {
        return snapshot.rootKeys().stream().map(b -> new Ed25519.PublicKey(java.util.Base64.getDecoder().decode(b))).toList();
    }

    public synchronized void acceptRoot(long serial, KeyRing nextRootKeys) {
        var keys = nextRootKeys.byId().values().stream().map(Ed25519.PublicKey::base64).sorted().toList();
        if (serial > snapshot.rootSerial() || !keys.equals(snapshot.rootKeys())) {
            snapshot = new Snapshot(Math.max(serial, snapshot.rootSerial()), snapshot.models(), keys);
            save();
        }
    }

    public synchronized void acceptManifest(String model, long serial) {
        var m = model(model);
        if (serial > m.manifestSerial()) {
            snapshot.models().put(model, new ModelSerials(serial, m.channelSerial()));
            save();
        }
    }

    public synchronized void acceptChannel(String model, long serial) {
        var m = model(model);
        if (serial > m.channelSerial()) {
            snapshot.models().put(model, new ModelSerials(m.manifestSerial(), serial));
            save();
        }
    }

    private void save() {
        try {
            AtomicFiles.write(file, Json.writePretty(snapshot));
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
