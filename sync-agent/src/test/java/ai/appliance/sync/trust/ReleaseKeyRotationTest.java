package ai.appliance.sync.trust;

import ai.appliance.sync.agent.SyncAgent;
import ai.appliance.sync.publish.Publisher;
import ai.appliance.sync.publish.RootSigner;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.testing.Release;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** A leaked release key is revoked by re-signing root (higher serial) without it; an old root is not accepted back. */
class ReleaseKeyRotationTest {
    @Test
    void revokedReleaseKeyIsRefusedAndTheOldRootCannotBeReplayed(@TempDir Path tmp) throws Exception {
        var release = new Release(tmp.resolve("release"));
        var storeDir = Files.createDirectories(tmp.resolve("store"));
        var store = new FolderStore(storeDir);
        release.signRoot(store);
        var oldRoot = store.get(StoreKeys.ROOT).orElseThrow();
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("w.bin"), 100_000, 1);
        release.publish(store, v1, "m", "v1");
        var device = tmp.resolve("device");
        var config = release.device(device, List.of(storeDir.toString()), "m");
        try (var agent = SyncAgent.builder().config(config).build()) {
            assertEquals("v1", agent.runOnce().getFirst().active());

            var newKey = Ed25519.generate(new SecureRandom());
            store.put(StoreKeys.ROOT, RootSigner.sign(release.rootKey, List.of(newKey.publicKey()), 2, Duration.ofDays(365), Clock.systemUTC()));
            // The attacker still holds the old release key and publishes with it.
            var evil = tmp.resolve("evil");
            Release.writeRandom(evil.resolve("w.bin"), 100_000, 66);
            release.publish(store, evil, "m", "v2-evil");
            var refused = agent.runOnce().getFirst();
            assertEquals("v1", refused.active());
            assertTrue(refused.lastError().contains("no trusted key"), refused.lastError());

            var v2 = tmp.resolve("v2");
            Release.writeRandom(v2.resolve("w.bin"), 100_000, 2);
            new Publisher(store, newKey, Clock.systemUTC(), 1).publish(new Publisher.Request(v2, "m", "v2", 0, "stable", 100,
                    Duration.ofDays(30), Duration.ofDays(7), Release.SMALL), (d, t) -> {});
            assertEquals("v2", agent.runOnce().getFirst().active());

            store.put(StoreKeys.ROOT, oldRoot); // replaying root serial 1 would re-enable the leaked key
            var replay = agent.runOnce().getFirst();
            assertEquals("refused", replay.state());
            assertTrue(replay.lastError().contains("root serial 1 is lower"), replay.lastError());
        }
    }
}
