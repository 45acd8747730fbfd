package ai.appliance.sync.publish;

import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.testing.Release;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A chunk already in the store is reused only when it still hashes to its name. */
class PublishReusedChunksTest {

    @Test
    void aDamagedStoredChunkIsUploadedAgainSoTheNewVersionInstalls(@TempDir Path tmp) throws Exception {
        var release = new Release(tmp.resolve("release"));
        var storeDir = Files.createDirectories(tmp.resolve("store"));
        var store = new FolderStore(storeDir);
        release.signRoot(store);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("w.bin"), 600_000, 1);
        var first = release.publish(store, v1, "m", "v1");

        var damaged = first.manifest().files().getFirst().chunks().get(2).id();
        Release.overwrite(storeDir.resolve(StoreKeys.chunk(damaged)), 100, 16, 7);

        var v2 = tmp.resolve("v2");
        Release.copyTree(v1, v2);
        Files.writeString(v2.resolve("notes.txt"), "second release");
        var second = release.publish(store, v2, "m", "v2");
        assertEquals(1, second.chunksReplaced());
        assertEquals(2, second.chunksUploaded(), "the repaired chunk and the new file's");
        assertEquals(StoredChunks.State.INTACT, new StoredChunks(store).check(damaged));

        var device = tmp.resolve("device");
        try (var agent = Release.agent(release.device(device, List.of(storeDir.toString()), "m"), store)) {
            var state = agent.runOnce().getFirst();
            assertEquals("v2", state.active(), () -> "installed: " + state);
            assertNull(state.lastError());
        }
    }

    @Test
    void aMissingOrTruncatedChunkIsToldApartFromAnIntactOne(@TempDir Path tmp) throws Exception {
        var release = new Release(tmp.resolve("release"));
        var storeDir = Files.createDirectories(tmp.resolve("store"));
        var store = new FolderStore(storeDir);
        release.signRoot(store);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("w.bin"), 300_000, 3);
        var chunks = release.publish(store, v1, "m", "v1").manifest().files().getFirst().chunks();
        var stored = new StoredChunks(store);
        assertEquals(StoredChunks.State.INTACT, stored.check(chunks.get(0).id()));
        var truncated = storeDir.resolve(StoreKeys.chunk(chunks.get(1).id()));
        Files.write(truncated, java.util.Arrays.copyOf(Files.readAllBytes(truncated), 10));
        assertEquals(StoredChunks.State.DAMAGED, stored.check(chunks.get(1).id()));
        Files.delete(storeDir.resolve(StoreKeys.chunk(chunks.get(2).id())));
        assertEquals(StoredChunks.State.MISSING, stored.check(chunks.get(2).id()));
    }
}
