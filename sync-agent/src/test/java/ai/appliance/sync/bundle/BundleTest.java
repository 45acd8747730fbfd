package ai.appliance.sync.bundle;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.agent.SyncAgent;
import ai.appliance.sync.contract.ModelSlot;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.testing.Release;
import ai.appliance.sync.trust.Ed25519;
import ai.appliance.sync.trust.MetadataVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class BundleTest {
    @Test
    void exportsOneVersionThatInstallsOnAnAirGappedDeviceAndRefusesATamperedCopy(@TempDir Path tmp) throws Exception {
        var release = new Release(tmp.resolve("release"));
        var storeDir = Files.createDirectories(tmp.resolve("store"));
        var store = new FolderStore(storeDir);
        release.signRoot(store);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("w.bin"), 500_000, 1);
        release.publish(store, v1, "m", "v1");
        var v2 = tmp.resolve("v2");
        Release.writeRandom(v2.resolve("w.bin"), 500_000, 2);
        release.publish(store, v2, "m", "v2");

        var verifier = new MetadataVerifier(Ed25519.readPublic(release.rootPub), Clock.systemUTC());
        var usb = tmp.resolve("usb/bundle");
        var exported = Bundles.export(store, "m", null, "stable", usb, verifier, (d, t) -> {});
        assertEquals("v2", exported.manifest().version());
        var bundle = new FolderStore(usb);
        assertEquals(1, bundle.list("manifests/").size(), "only the exported version");

        var device = tmp.resolve("device");
        try (var agent = SyncAgent.builder().config(release.device(device, List.of(usb.toString()), "m")).build()) {
            assertEquals("v2", agent.runOnce().getFirst().active());
        }
        assertEquals("v2", ModelSlot.of(device, "m").active().orElseThrow().version());

        var chunk = bundle.list("chunks/").getFirst();
        var bytes = Files.readAllBytes(usb.resolve(chunk));
        bytes[0] ^= 1;
        Files.write(usb.resolve(chunk), bytes);
        var e = assertThrows(SyncException.IntegrityFailure.class, () -> Bundles.verify(bundle, "m", "stable", verifier, (d, t) -> {}));
        assertTrue(e.getMessage().contains("differs from the manifest"), e.getMessage());
        assertTrue(bundle.exists(StoreKeys.ROOT));
    }
}
