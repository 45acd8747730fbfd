package ai.appliance.sync.agent;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.util.Progress;
import ai.appliance.sync.util.Sha256;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads chunks in parallel into the cache: each one streamed to a partial file (resumed after a restart with
 * a ranged GET), verified (size and SHA-256) before it is kept, retried
 * with exponentially growing, fully jittered back-off (so a fleet coming back online does not stampede the
 * store), under a shared bandwidth cap. What is already cached is never fetched again.
 */
final class ChunkFetcher {
    private static final long BASE_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final int BLOCK = 256 << 10;

    private final ObjectStore store;
    private final ChunkCache cache;
    private final int parallelism;
    private final int retries;
    private final RateLimiter limiter;

    ChunkFetcher(ObjectStore store, ChunkCache cache, int parallelism, int retries, long bytesPerSecond) {
        this.store = store;
        this.cache = cache;
        this.parallelism = parallelism;
        this.retries = retries;
        this.limiter = new RateLimiter(bytesPerSecond);
    }

    /** Fetches every chunk of {@code plan} (id → size). Throws the first failure after retries. */
    void fetch(Map<String, Long> plan, Progress progress) {
        long total = plan.values().stream().mapToLong(Long::longValue).sum();
        var done = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(parallelism, plan.size())), r -> {
            var t = new Thread(r, "sync-fetch");
            t.setDaemon(true);
            return t;
        });
        try {
            var futures = new ArrayList<Future<?>>();
            for (var e : plan.entrySet()) {
                futures.add(pool.submit(() -> {
                    fetchOne(e.getKey(), e.getValue());
                    progress.update(done.addAndGet(e.getValue()), total);
                    return null;
                }));
            }
            for (var f : futures) {
                try {
                    f.get();
                } catch (ExecutionException ex) {
                    if (ex.getCause() instanceof SyncException se) throw se;
                    throw new SyncException.StoreUnavailable("chunk download failed: " + ex.getCause(), ex.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncException.StoreUnavailable("download interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private void fetchOne(String id, long size) throws InterruptedException {
        if (cache.has(id)) return;
        int integrityFailures = 0;
        SyncException last = null;
        for (int attempt = 0; attempt <= retries; attempt++) {
            if (attempt > 0) backoff(attempt);
            try {
                var data = download(id, size);
                if (data.length != size) {
                    throw new SyncException.IntegrityFailure("chunk " + id + " from " + store.describe() + " is " + data.length + " bytes, manifest says " + size);
                }
                if (!Sha256.hex(data).equals(id)) {
                    throw new SyncException.IntegrityFailure("chunk " + id + " from " + store.describe() + " does not match its SHA-256 (corrupted or tampered)");
                }
                cache.putVerified(id, data);
                Files.deleteIfExists(cache.partial(id));
                return;
            } catch (SyncException.IntegrityFailure | SyncException.NotFound e) {
                deleteQuietly(cache.partial(id));
                // One more try covers a torn transfer; a second mismatch means the store really holds bad data.
                last = e;
                if (++integrityFailures > 1) throw e;
            } catch (SyncException.StoreUnavailable e) {
                last = e;
            } catch (IOException e) {
                last = new SyncException.StoreUnavailable("chunk " + id + " from " + store.describe() + ": " + e.getMessage(), e);
            }
        }
        throw last;
    }

    /**
     * Streams the chunk into its partial file, resuming with a ranged GET from what an earlier, interrupted
     * attempt (or run) left there; the bandwidth cap is applied per block so the rate stays smooth.
     */
    private byte[] download(String id, long size) throws IOException, InterruptedException {
        var part = cache.partial(id);
        Files.createDirectories(part.getParent());
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have >= size) {
            Files.delete(part);
            have = 0;
        }
        try (var in = store.openFrom(StoreKeys.chunk(id), have);
             var out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            var buf = new byte[BLOCK];
            long left = size - have;
            while (left > 0) {
                limiter.acquire(Math.min(BLOCK, left));
                int n = in.readNBytes(buf, 0, (int) Math.min(BLOCK, left));
                if (n == 0) break;
                var bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) out.write(bb);
                left -= n;
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
        return Files.readAllBytes(part);
    }

    private static void deleteQuietly(java.nio.file.Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // A stale partial file is re-validated by size and hash on the next attempt anyway.
        }
    }

    private static void backoff(int attempt) throws InterruptedException {
        long cap = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS << Math.min(attempt, 20));
        Thread.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
    }
}
