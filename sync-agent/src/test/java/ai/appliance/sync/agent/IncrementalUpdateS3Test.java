package ai.appliance.sync.agent;

import ai.appliance.sync.chunk.ChunkingParams;
import ai.appliance.sync.contract.ModelSlot;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.testing.Release;
import ai.appliance.sync.testing.S3Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Acceptance: a ~200 MB model set through a real S3 API; v2 rewrites one 8 MiB tensor region; the update
 * moves no more than the changed bytes + 2 × max chunk + metadata, counted by the S3 server itself.
 */
class IncrementalUpdateS3Test {
    static final long CHANGED = 8L << 20;

    @Test
    void oneTensorChangeMovesOnlyItsChunks(@TempDir Path tmp) throws Exception {
        try (var server = new S3Server()) {
            var uri = server.bucket("models");
            var release = new Release(tmp.resolve("release"));
            var v1 = tmp.resolve("v1");
            Release.writeRandom(v1.resolve("model-00001-of-00002.safetensors"), 128L << 20, 11);
            Release.writeRandom(v1.resolve("model-00002-of-00002.safetensors"), 72L << 20, 12);
            Files.writeString(v1.resolve("config.json"), "{\"model_type\":\"qwen2\"}");
            try (var store = StoreUris.open(uri)) {
                release.signRoot(store);
                release.publish(store, v1, "qwen2-7b", "v1", 100, ChunkingParams.DEFAULT);
            }
            var device = tmp.resolve("device");
            var config = release.device(device, List.of(uri), "qwen2-7b").withParallelism(4);
            try (var agent = SyncAgent.builder().config(config).build()) {
                server.resetCounters();
                var installed = agent.runOnce().getFirst();
                assertEquals("v1", installed.active());
                long fullBytes = server.chunkBytesServed.get();
                assertTrue(fullBytes >= 200L << 20, "full install fetched " + fullBytes);
                assertEquals(fullBytes, installed.bytesDownloaded(), "the state counts the chunk bytes fetched");

                var v2 = tmp.resolve("v2");
                Release.copyTree(v1, v2);
                Release.overwrite(v2.resolve("model-00001-of-00002.safetensors"), 50L << 20, (int) CHANGED, 99);
                try (var store = StoreUris.open(uri)) {
                    var r = release.publish(store, v2, "qwen2-7b", "v2", 100, ChunkingParams.DEFAULT);
                    assertTrue(r.bytesUploaded() <= CHANGED + 2L * ChunkingParams.DEFAULT.max(), "publish uploaded " + r.bytesUploaded());
                }
                server.resetCounters();
                var s = agent.runOnce().getFirst();
                assertEquals("v2", s.active(), () -> "state " + s);
                assertEquals(fullBytes + server.chunkBytesServed.get(), s.bytesDownloaded(),
                        "the update adds only its own chunk bytes to the lifetime count");

                long metadata;
                try (var store = StoreUris.open(uri)) {
                    metadata = store.size(StoreKeys.ROOT).orElseThrow() + store.size(StoreKeys.manifest("qwen2-7b", "v2")).orElseThrow()
                            + store.size(StoreKeys.channel("qwen2-7b", "stable")).orElseThrow();
                }
                long moved = server.bytesServed.get();
                long bound = CHANGED + 2L * ChunkingParams.DEFAULT.max() + metadata;
                System.out.printf("incremental update moved %d bytes (chunks %d, metadata %d); bound %d; full install %d%n",
                        moved, server.chunkBytesServed.get(), metadata, bound, fullBytes);
                assertTrue(moved <= bound, "moved " + moved + " > bound " + bound);
                var folder = ModelSlot.of(device, "qwen2-7b").active().orElseThrow().folder();
                assertEquals(-1L, Files.mismatch(v2.resolve("model-00001-of-00002.safetensors"), folder.resolve("model-00001-of-00002.safetensors")));
            }
        }
    }
}
