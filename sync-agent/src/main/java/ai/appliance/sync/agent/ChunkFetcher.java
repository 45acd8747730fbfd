package ai.appliance.sync.agent;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.util.Progress;
import ai.appliance.sync.util.Sha256;

import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Downloads chunks in parallel into the cache: each one verified (size and SHA-256) before it is kept, retried
 * with exponentially growing, fully jittered back-off (so a fleet coming back online does not stampede the
 * store), under a shared bandwidth cap. What is already cached is never fetched again.
 */
final class ChunkFetcher {
    private static final long BASE_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 30_000;

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
                limiter.acquire(size);
                var data = store.getFrom(StoreKeys.chunk(id), 0);
                if (data.length != size) {
                    throw new SyncException.IntegrityFailure("chunk " + id + " from " + store.describe() + " is " + data.length + " bytes, manifest says " + size);
                }
                if (!Sha256.hex(data).equals(id)) {
                    throw new SyncException.IntegrityFailure("chunk " + id + " from " + store.describe() + " does not match its SHA-256 (corrupted or tampered)");
                }
                cache.putVerified(id, data);
                return;
            } catch (SyncException.IntegrityFailure | SyncException.NotFound e) {
                // One more try covers a torn transfer; a second mismatch means the store really holds bad data.
                last = e;
                if (++integrityFailures > 1) throw e;
            } catch (SyncException.StoreUnavailable e) {
                last = e;
            }
        }
        throw last;
    }

    private static void backoff(int attempt) throws InterruptedException {
        long cap = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS << Math.min(attempt, 20));
        Thread.sleep(ThreadLocalRandom.current().nextLong(cap / 2, cap + 1));
    }
}
