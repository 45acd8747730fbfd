package ai.appliance.sync.agent;

import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.store.MeteredStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.util.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ChunkFetcherTest {
    @Test
    void resumesAnInterruptedChunkWithARangedGetInsteadOfStartingOver(@TempDir Path tmp) throws Exception {
        var data = new byte[1 << 20];
        new Random(4).nextBytes(data);
        var id = Sha256.hex(data);
        var remote = new FolderStore(Files.createDirectories(tmp.resolve("remote")));
        remote.put(StoreKeys.chunk(id), data);
        var cache = new ChunkCache(tmp.resolve("cache"));
        // What an earlier run killed mid-transfer left behind: the first 600 000 bytes.
        Files.createDirectories(cache.partial(id).getParent());
        Files.write(cache.partial(id), Arrays.copyOf(data, 600_000));

        var metered = new MeteredStore(remote);
        new ChunkFetcher(metered, cache, 1, 1, 0).fetch(Map.of(id, (long) data.length), (d, t) -> {});
        assertEquals(data.length - 600_000, metered.bytesRead(), "only the missing tail is fetched");
        assertArrayEquals(data, cache.read(id, data.length).orElseThrow());
        assertFalse(Files.exists(cache.partial(id)));
    }

    @Test
    void discardsAPartialFileThatTurnsOutCorruptAndFetchesTheChunkAgain(@TempDir Path tmp) throws Exception {
        var data = new byte[300_000];
        new Random(5).nextBytes(data);
        var id = Sha256.hex(data);
        var remote = new FolderStore(Files.createDirectories(tmp.resolve("remote")));
        remote.put(StoreKeys.chunk(id), data);
        var cache = new ChunkCache(tmp.resolve("cache"));
        Files.createDirectories(cache.partial(id).getParent());
        Files.write(cache.partial(id), new byte[100_000]); // garbage
        new ChunkFetcher(remote, cache, 1, 2, 0).fetch(Map.of(id, (long) data.length), (d, t) -> {});
        assertArrayEquals(data, cache.read(id, data.length).orElseThrow());
    }
}
