package ai.appliance.sync.agent;

import ai.appliance.sync.contract.ModelSlot;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.testing.Release;
import ai.appliance.sync.testing.S3Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class OfflineAndFailoverTest {
    @TempDir Path tmp;

    @Test
    void keepsServingTheLastVerifiedVersionWhileOfflineAndCompletesTheUpdateWhenTheStoreIsBack() throws Exception {
        try (var server = new S3Server()) {
            var uri = server.bucket("site");
            var release = new Release(tmp.resolve("release"));
            var v1 = tmp.resolve("v1");
            Release.writeRandom(v1.resolve("w.bin"), 400_000, 1);
            try (var store = StoreUris.open(uri)) {
                release.signRoot(store);
                release.publish(store, v1, "m", "v1");
            }
            var device = tmp.resolve("device");
            try (var agent = SyncAgent.builder().config(release.device(device, List.of(uri), "m")).build()) {
                assertEquals("v1", agent.runOnce().getFirst().active());
                var v2 = tmp.resolve("v2");
                Release.writeRandom(v2.resolve("w.bin"), 400_000, 2);
                try (var store = StoreUris.open(uri)) {
                    release.publish(store, v2, "m", "v2");
                }
                server.goOffline();
                var offline = agent.runOnce().getFirst();
                assertEquals("v1", offline.active());
                assertNotNull(offline.offlineSince(), "status must say since when it is offline");
                assertEquals("v1", ModelSlot.of(device, "m").active().orElseThrow().version());
                var since = offline.offlineSince();
                assertEquals(since, agent.runOnce().getFirst().offlineSince(), "offlineSince keeps the first failure time");

                server.comeBack();
                var back = agent.runOnce().getFirst();
                assertEquals("v2", back.active(), () -> "state " + back);
                assertNull(back.offlineSince());
            }
        }
    }

    @Test
    void failsOverToTheSecondStoreWhenTheFirstIsUnreachable() throws Exception {
        var release = new Release(tmp.resolve("release"));
        var dr = Files.createDirectories(tmp.resolve("dr-site"));
        var drStore = new FolderStore(dr);
        release.signRoot(drStore);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("w.bin"), 300_000, 3);
        release.publish(drStore, v1, "m", "v1");
        var device = tmp.resolve("device");
        var primaryDown = "s3://models?endpoint=http://127.0.0.1:1&pathStyle=true";
        try (var agent = SyncAgent.builder().config(release.device(device, List.of(primaryDown, dr.toString()), "m")).build()) {
            var s = agent.runOnce().getFirst();
            assertEquals("v1", s.active(), () -> "state " + s);
            assertNull(s.offlineSince());
            assertEquals(dr.toAbsolutePath().toString(), s.store());
        }
    }
}
