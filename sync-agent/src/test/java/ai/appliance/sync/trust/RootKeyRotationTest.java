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

/** The offline root key itself can be rotated; devices follow the chain, even one that slept through it. */
class RootKeyRotationTest {
    @Test
    void devicesFollowARootKeyRotationAndRefuseTheRetiredKey(@TempDir Path tmp) throws Exception {
        var release = new Release(tmp.resolve("release"));
        var storeDir = Files.createDirectories(tmp.resolve("store"));
        var store = new FolderStore(storeDir);
        release.signRoot(store);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("w.bin"), 100_000, 1);
        release.publish(store, v1, "m", "v1");
        var device = tmp.resolve("device");
        try (var agent = SyncAgent.builder().config(release.device(device, List.of(storeDir.toString()), "m")).build()) {
            assertEquals("v1", agent.runOnce().getFirst().active());
        }

        var rng = new SecureRandom();
        var newRoot = Ed25519.generate(rng);
        var newRelease = Ed25519.generate(rng);
        var clock = Clock.systemUTC();
        // A rotation signed by the old key alone is refused: it must prove the new key too.
        var unproven = RootSigner.sign(List.of(release.rootKey), List.of(newRoot.publicKey()), List.of(release.releaseKey.publicKey()), 2, Duration.ofDays(30), clock);
        store.put(StoreKeys.ROOT, unproven);
        try (var agent = SyncAgent.builder().config(release.device(device, List.of(storeDir.toString()), "m")).build()) {
            var s = agent.runOnce().getFirst();
            assertEquals("refused", s.state());
            assertTrue(s.lastError().contains("new root key"), s.lastError());
        }

        publishRoot(store, RootSigner.sign(List.of(release.rootKey, newRoot), List.of(newRoot.publicKey()), List.of(release.releaseKey.publicKey()), 2, Duration.ofDays(30), clock), 2);
        publishRoot(store, RootSigner.sign(List.of(newRoot), List.of(), List.of(newRelease.publicKey()), 3, Duration.ofDays(30), clock), 3);
        var v2 = tmp.resolve("v2");
        Release.writeRandom(v2.resolve("w.bin"), 100_000, 2);
        new Publisher(store, newRelease, clock, 1).publish(new Publisher.Request(v2, "m", "v2", 0, "stable", 100,
                Duration.ofDays(30), Duration.ofDays(7), Release.SMALL), (d, t) -> {});

        try (var agent = SyncAgent.builder().config(release.device(device, List.of(storeDir.toString()), "m")).build()) {
            assertEquals("v2", agent.runOnce().getFirst().active(), () -> "" + agent.status());
        }
        // A fresh device provisioned with the old pin walks roots/1..3 and arrives at the same place.
        var fresh = tmp.resolve("fresh");
        try (var agent = SyncAgent.builder().config(release.device(fresh, List.of(storeDir.toString()), "m")).build()) {
            assertEquals("v2", agent.runOnce().getFirst().active(), () -> "" + agent.status());
        }
        // Air-gap export and DR replication still verify from the old pin by walking the chain.
        var pinned = new MetadataVerifier(Ed25519.readPublic(release.rootPub), clock);
        var bundle = ai.appliance.sync.bundle.Bundles.export(store, "m", null, "stable", tmp.resolve("usb"), pinned, (d, t) -> {});
        assertEquals("v2", bundle.manifest().version());
        var dr = new FolderStore(Files.createDirectories(tmp.resolve("dr")));
        var copied = new ai.appliance.sync.replicate.Replicator(store, dr, 1, java.util.Optional.of(pinned)).replicate((d, t) -> {});
        assertTrue(dr.exists(StoreKeys.rootHistory(2)));
        assertEquals(1, copied.metadataRefused(), "v1's manifest was signed by the revoked release key");
        assertFalse(dr.exists(StoreKeys.manifest("m", "v1")));
        // The retired root key can no longer speak for the fleet.
        store.put(StoreKeys.ROOT, RootSigner.sign(release.rootKey, List.of(release.releaseKey.publicKey()), 4, Duration.ofDays(30), clock));
        try (var agent = SyncAgent.builder().config(release.device(device, List.of(storeDir.toString()), "m")).build()) {
            var s = agent.runOnce().getFirst();
            assertEquals("refused", s.state());
            assertTrue(s.lastError().contains("no trusted key"), s.lastError());
            assertEquals("v2", s.active());
        }
    }

    private static void publishRoot(FolderStore store, byte[] root, long serial) {
        store.put(StoreKeys.rootHistory(serial), root);
        store.put(StoreKeys.ROOT, root);
    }
}
