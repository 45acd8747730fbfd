package ai.appliance.sync.replicate;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.manifest.Names;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.trust.MetadataVerifier;
import ai.appliance.sync.util.Progress;
import ai.appliance.sync.util.Sha256;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Copies a store to another (disaster-recovery replica, another bucket, a USB bundle): only objects the target
 * lacks, every chunk re-hashed before it is written, chunks before manifests before channel pointers and root,
 * so the target never names data it does not hold. With a verifier, metadata signatures are checked too.
 */
public final class Replicator {
    /** {@code metadataRefused}: manifests/pointers the current root no longer vouches for (revoked key, expired); not copied. */
    public record Result(long chunksCopied, long chunksSkipped, long bytesCopied, long metadataCopied, long metadataRefused) {}

    private final ObjectStore from;
    private final ObjectStore to;
    private final int parallelism;
    private final Optional<MetadataVerifier> verifier;

    public Replicator(ObjectStore from, ObjectStore to, int parallelism, Optional<MetadataVerifier> verifier) {
        this.from = from;
        this.to = to;
        this.parallelism = Math.max(1, parallelism);
        this.verifier = verifier;
    }

    /** Replicates everything. */
    public Result replicate(Progress progress) {
        return replicate(k -> true, progress);
    }

    /** Replicates the keys {@code include} accepts. */
    public Result replicate(Predicate<String> include, Progress progress) {
        var source = from.list("").stream().filter(include).filter(k -> !k.endsWith(".tmp")).toList();
        var present = new HashSet<>(to.list(""));
        var releaseKeys = verifier.map(v -> ai.appliance.sync.trust.RootChain.resolve(from, v).releaseKeys());

        var chunks = source.stream().filter(k -> k.startsWith("chunks/") && !present.contains(k)).toList();
        long skipped = source.stream().filter(k -> k.startsWith("chunks/") && present.contains(k)).count();
        var bytes = new AtomicLong();
        var done = new AtomicLong();
        var pool = Executors.newFixedThreadPool(parallelism);
        try {
            var futures = new ArrayList<Future<?>>();
            for (var key : chunks) {
                futures.add(pool.submit(() -> {
                    var id = Names.chunkId(key.substring(key.lastIndexOf('/') + 1));
                    var data = from.getFrom(key, 0);
                    if (!Sha256.hex(data).equals(id)) {
                        throw new SyncException.IntegrityFailure(from.describe() + ": " + key + " does not match its SHA-256; not replicated");
                    }
                    to.put(key, data);
                    bytes.addAndGet(data.length);
                    progress.update(done.incrementAndGet(), chunks.size());
                    return null;
                }));
            }
            for (var f : futures) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof SyncException se) throw se;
                    throw new SyncException.StoreUnavailable("replication failed: " + e.getCause(), e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncException.StoreUnavailable("replication interrupted", e);
        } finally {
            pool.shutdownNow();
        }

        long meta = 0;
        long refused = 0;
        for (var prefix : List.of("manifests/", "channels/", "roots/", StoreKeys.ROOT)) {
            for (var key : source.stream().filter(k -> k.startsWith(prefix)).sorted().toList()) {
                var data = from.get(key).orElseThrow(() -> new SyncException.NotFound(from.describe() + ": " + key + " vanished during replication"));
                if (releaseKeys.isPresent()) {
                    var v = verifier.get();
                    try {
                        if (key.startsWith("manifests/")) v.verifyManifest(data, releaseKeys.get(), from.describe() + ": " + key);
                        if (key.startsWith("channels/")) v.verifyChannel(data, releaseKeys.get(), from.describe() + ": " + key);
                    } catch (SyncException.SignatureRejected | SyncException.MetadataExpired e) {
                        refused++;
                        continue;
                    }
                }
                // Manifests and root history are write-once: copy when missing. Pointers and root move: copy when they differ.
                boolean writeOnce = key.startsWith("manifests/") || key.startsWith("roots/");
                boolean copy = !present.contains(key) || (!writeOnce && !Arrays.equals(to.get(key).orElse(null), data));
                if (copy) {
                    to.put(key, data);
                    meta++;
                }
            }
        }
        return new Result(chunks.size(), skipped, bytes.get(), meta, refused);
    }
}
