package ai.appliance.sync.agent;

import ai.appliance.sync.contract.ModelSlot;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.testing.Release;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class VerifyRepairTest {
    @Test
    void damagedActiveVersionIsTakenOutOfServiceAndRebuiltFromVerifiedChunks(@TempDir Path tmp) throws Exception {
        var release = new Release(tmp.resolve("release"));
        var storeDir = Files.createDirectories(tmp.resolve("store"));
        var store = new FolderStore(storeDir);
        release.signRoot(store);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("w.bin"), 300_000, 1);
        release.publish(store, v1, "m", "v1");
        var device = tmp.resolve("device");
        try (var agent = Release.agent(release.device(device, List.of(storeDir.toString()), "m"), store)) {
            agent.runOnce();
            var v2 = tmp.resolve("v2");
            Release.writeRandom(v2.resolve("w.bin"), 300_000, 2);
            release.publish(store, v2, "m", "v2");
            assertEquals("v2", agent.runOnce().getFirst().active());

            var file = device.resolve("models/m/versions/v2/w.bin");
            var bytes = Files.readAllBytes(file);
            bytes[12345] ^= 0x40; // a flipped bit on disk
            Files.write(file, bytes);

            var problems = agent.verify().get("m");
            assertEquals(1, problems.size(), problems.toString());
            assertEquals("v1", ModelSlot.of(device, "m").active().orElseThrow().version(), "damaged version out of service");
            assertTrue(agent.status().getFirst().lastError().contains("w.bin"));

            var s = agent.runOnce().getFirst();
            assertEquals("v2", s.active(), () -> "rebuilt: " + s);
            assertEquals(-1L, Files.mismatch(v2.resolve("w.bin"), file));
            assertEquals(List.of(), agent.verify().get("m"));
        }
    }
}
