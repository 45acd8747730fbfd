package ai.appliance.sync.replicate;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.store.MeteredStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.testing.Release;
import ai.appliance.sync.testing.S3Server;
import ai.appliance.sync.trust.MetadataVerifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class ReplicatorTest {
    @TempDir Path tmp;

    @Test
    void copiesOnlyMissingObjectsToAnotherSiteAndVerifiesThem() throws Exception {
        try (var server = new S3Server()) {
            var release = new Release(tmp.resolve("release"));
            var primaryDir = Files.createDirectories(tmp.resolve("primary"));
            var primary = new FolderStore(primaryDir);
            release.signRoot(primary);
            var v1 = tmp.resolve("v1");
            Release.writeRandom(v1.resolve("w.bin"), 1 << 20, 1);
            release.publish(primary, v1, "m", "v1");
            var verifier = Optional.of(new MetadataVerifier(ai.appliance.sync.trust.Ed25519.readPublic(release.rootPub), Clock.systemUTC()));
            try (var dr = StoreUris.open(server.bucket("dr-site"))) {
                var first = new Replicator(primary, dr, 2, verifier).replicate((d, t) -> {});
                assertTrue(first.chunksCopied() > 5);
                assertEquals(new HashSet<>(primary.list("")), new HashSet<>(dr.list("")));

                var v2 = tmp.resolve("v2");
                Release.copyTree(v1, v2);
                Release.overwrite(v2.resolve("w.bin"), 300_000, 50_000, 5);
                var published = release.publish(primary, v2, "m", "v2");
                var metered = new MeteredStore(dr);
                var second = new Replicator(primary, metered, 2, verifier).replicate((d, t) -> {});
                assertEquals(published.chunksUploaded(), second.chunksCopied(), "only the new chunks");
                assertEquals(first.chunksCopied(), second.chunksSkipped());
                assertEquals(2, second.metadataCopied(), "new manifest and moved channel pointer");
                assertEquals(new HashSet<>(primary.list("")), new HashSet<>(dr.list("")));

                var third = new Replicator(primary, dr, 2, verifier).replicate((d, t) -> {});
                assertEquals(0, third.chunksCopied());
                assertEquals(0, third.metadataCopied());
            }
        }
    }

    @Test
    void refusesToReplicateACorruptChunk() throws Exception {
        var release = new Release(tmp.resolve("release"));
        var srcDir = Files.createDirectories(tmp.resolve("src-store"));
        var src = new FolderStore(srcDir);
        release.signRoot(src);
        var v1 = tmp.resolve("v1");
        Release.writeRandom(v1.resolve("w.bin"), 200_000, 1);
        release.publish(src, v1, "m", "v1");
        var chunk = src.list("chunks/").getFirst();
        Files.write(srcDir.resolve(chunk), new byte[]{1, 2, 3});
        var dst = new FolderStore(Files.createDirectories(tmp.resolve("dst")));
        var e = assertThrows(SyncException.IntegrityFailure.class, () -> new Replicator(src, dst, 1, Optional.empty()).replicate((d, t) -> {}));
        assertTrue(e.getMessage().contains(chunk));
        assertFalse(dst.exists(StoreKeys.channel("m", "stable")), "no pointer to data the replica lacks");
    }
}
