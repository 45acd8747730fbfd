package ai.appliance.sync.agent;

import ai.appliance.sync.util.Sha256;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ChunkCacheTest {
    @Test
    void evictsLeastRecentlyUsedButNeverPinnedChunks(@TempDir Path tmp) throws Exception {
        var cache = new ChunkCache(tmp);
        var ids = new String[5];
        for (int i = 0; i < 5; i++) {
            var data = new byte[1000];
            data[0] = (byte) i;
            ids[i] = Sha256.hex(data);
            cache.putVerified(ids[i], data);
            Thread.sleep(5);
        }
        // ids[0] is the oldest but pinned (active version); ids[1] and ids[2] must go.
        long freed = cache.evict(3000, Set.of(ids[0]));
        assertEquals(2000, freed);
        assertTrue(cache.has(ids[0]));
        assertFalse(cache.has(ids[1]));
        assertFalse(cache.has(ids[2]));
        assertTrue(cache.has(ids[3]) && cache.has(ids[4]));
        // Even a limit of zero keeps pinned chunks.
        cache.evict(0, Set.of(ids[0], ids[4]));
        assertTrue(cache.has(ids[0]) && cache.has(ids[4]));
        assertFalse(cache.has(ids[3]));
    }

    @Test
    void dropsAChunkThatRottedOnDisk(@TempDir Path tmp) throws Exception {
        var cache = new ChunkCache(tmp);
        var data = new byte[100];
        var id = Sha256.hex(data);
        cache.putVerified(id, data);
        java.nio.file.Files.write(cache.path(id), new byte[100 - 1]);
        assertTrue(cache.read(id, 100).isEmpty());
        assertFalse(cache.has(id));
    }
}
