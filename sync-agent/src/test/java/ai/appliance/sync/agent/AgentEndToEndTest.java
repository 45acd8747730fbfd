package ai.appliance.sync.agent;

import ai.appliance.sync.contract.ModelSlot;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.store.MeteredStore;
import ai.appliance.sync.testing.Release;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class AgentEndToEndTest {
    @TempDir Path tmp;

    @Test
    void installsPublishedVersionThenUpdatesMovingOnlyChangedChunks() throws Exception {
        var release = new Release(tmp.resolve("release"));
        var storeDir = tmp.resolve("store");
        var store = new FolderStore(storeDir);
        Files.createDirectories(storeDir);
        release.signRoot(store);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("model.safetensors"), 3 << 20, 1);
        Files.writeString(v1.resolve("config.json"), "{\"architectures\":[\"Qwen2ForCausalLM\"]}");
        release.publish(store, v1, "qwen", "v1");

        var device = tmp.resolve("device");
        var metered = new MeteredStore(new FolderStore(storeDir));
        try (var agent = Release.agent(release.device(device, List.of(storeDir.toString()), "qwen"), metered)) {
            var s = agent.runOnce().getFirst();
            assertEquals("v1", s.active(), () -> "state " + s);
            assertEquals("awaiting-runtime", s.state());
            var slot = ModelSlot.of(device, "qwen");
            var active = slot.active().orElseThrow();
            assertEquals(device.toAbsolutePath().resolve("models/qwen/versions/v1"), active.folder());
            assertEquals(-1L, Files.mismatch(v1.resolve("model.safetensors"), active.folder().resolve("model.safetensors")));
            slot.reportLoaded("v1");
            agent.runOnce();
            assertEquals("confirmed", agent.status().getFirst().state());

            var v2 = tmp.resolve("v2");
            Release.copyTree(v1, v2);
            Release.overwrite(v2.resolve("model.safetensors"), 1 << 20, 100_000, 7);
            release.publish(store, v2, "qwen", "v2");
            metered.reset();
            var s2 = agent.runOnce().getFirst();
            assertEquals("v2", s2.active(), () -> "state " + s2);
            assertEquals(List.of("v1"), s2.previous());
            long chunkBytes = metered.bytesRead() - 20_000; // generous metadata allowance
            assertTrue(chunkBytes <= 100_000 + 2 * Release.SMALL.max(), "moved " + metered.bytesRead());
            assertEquals(-1L, Files.mismatch(v2.resolve("model.safetensors"), slot.active().orElseThrow().folder().resolve("model.safetensors")));
        }
    }

    @Test
    void rollsBackWhenRuntimeReportsTheNewVersionFailed() throws Exception {
        var release = new Release(tmp.resolve("release"));
        var storeDir = tmp.resolve("store");
        Files.createDirectories(storeDir);
        var store = new FolderStore(storeDir);
        release.signRoot(store);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("w.bin"), 200_000, 1);
        release.publish(store, v1, "m", "v1");
        var device = tmp.resolve("device");
        try (var agent = Release.agent(release.device(device, List.of(storeDir.toString()), "m"), store)) {
            agent.runOnce();
            var slot = ModelSlot.of(device, "m");
            slot.reportLoaded("v1");
            var v2 = tmp.resolve("v2");
            Release.writeRandom(v2.resolve("w.bin"), 200_000, 2);
            release.publish(store, v2, "m", "v2");
            assertEquals("v2", agent.runOnce().getFirst().active());
            slot.reportFailed("v2", "config.json: unknown architecture");
            var s = agent.runOnce().getFirst();
            assertEquals("v1", s.active());
            assertEquals("rolled-back", s.state());
            assertTrue(s.bad().containsKey("v2"));
            assertEquals("v1", slot.active().orElseThrow().version());
            // The bad version is not re-installed on the next poll.
            assertEquals("v1", agent.runOnce().getFirst().active());
        }
    }
}
