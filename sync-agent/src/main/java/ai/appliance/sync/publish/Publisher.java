package ai.appliance.sync.publish;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.chunk.ChunkingParams;
import ai.appliance.sync.chunk.FastCdc;
import ai.appliance.sync.manifest.ChannelPointer;
import ai.appliance.sync.manifest.ChunkRef;
import ai.appliance.sync.manifest.FileEntry;
import ai.appliance.sync.manifest.Manifest;
import ai.appliance.sync.manifest.Names;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.trust.Ed25519;
import ai.appliance.sync.trust.Envelope;
import ai.appliance.sync.util.Hex;
import ai.appliance.sync.util.Json;
import ai.appliance.sync.util.Progress;
import ai.appliance.sync.util.Sha256;
import ai.appliance.sync.util.Times;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Publishes a model version: chunks every file, uploads the chunks the store lacks or holds damaged (a stored chunk
 * is reused only after it is read back and its hash matches its name), then writes the signed
 * manifest and finally the signed channel pointer (that order lets readers never see a pointer to missing data).
 */
public final class Publisher {
    /** What to publish. {@code serial} 0 = one more than the highest serial in the store. */
    public record Request(Path source, String model, String version, long serial, String channel, int rolloutPercent,
                          Duration manifestValidity, Duration channelValidity, ChunkingParams chunking) {
        public Request {
            Names.model(model);
            Names.version(version);
            Names.channel(channel);
            if (rolloutPercent < 0 || rolloutPercent > 100) throw new SyncException.UsageError("--rollout must be 0..100, got " + rolloutPercent);
        }
    }

    /** @param chunksReplaced chunks the store held damaged (their bytes no longer match their name) and got again */
    public record Result(Manifest manifest, ChannelPointer pointer, long chunksTotal, long chunksUploaded, long bytesUploaded,
                         long chunksReplaced) {}

    private final ObjectStore store;
    private final Ed25519.KeyPair releaseKey;
    private final Clock clock;
    private final int parallelism;

    public Publisher(ObjectStore store, Ed25519.KeyPair releaseKey, Clock clock, int parallelism) {
        this.store = store;
        this.releaseKey = releaseKey;
        this.clock = clock;
        this.parallelism = Math.max(1, parallelism);
    }

    public Result publish(Request req, Progress progress) throws IOException {
        var files = SourceFiles.list(req.source());
        var manifestKey = StoreKeys.manifest(req.model(), req.version());
        if (store.exists(manifestKey)) {
            throw new SyncException.UsageError("version " + req.version() + " of " + req.model() + " already exists in " + store.describe()
                    + " (manifests are write-once; publish a new version)");
        }
        long sum = 0;
        for (var f : files) sum += Files.size(f.file());
        final long total = sum;
        Set<String> present = Set.copyOf(store.list("chunks/").stream().map(k -> k.substring(k.lastIndexOf('/') + 1)).toList());
        Set<String> handled = ConcurrentHashMap.newKeySet();
        var stored = new StoredChunks(store);

        var chunker = new FastCdc(req.chunking());
        var done = new AtomicLong();
        var uploaded = new AtomicLong();
        var uploadedBytes = new AtomicLong();
        var replaced = new AtomicLong();
        var chunkCount = new AtomicLong();
        var entries = new ArrayList<FileEntry>();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        var inFlight = new Semaphore(parallelism * 2);
        try {
            for (var f : files) {
                var fileDigest = Sha256.newDigest();
                var chunkFutures = new ArrayList<Future<ChunkRef>>();
                try (var ch = FileChannel.open(f.file(), StandardOpenOption.READ)) {
                    // The reader thread only cuts and hashes the whole file; chunk hashing and uploads run in the
                    // pool, so publishing scales with cores (the chunk id is needed before we know it is new).
                    chunker.split(ch, (buf, off, len) -> {
                        fileDigest.update(buf, off, len);
                        var copy = Arrays.copyOfRange(buf, off, off + len);
                        inFlight.acquireUninterruptibly();
                        chunkFutures.add(pool.submit(() -> {
                            try {
                                var id = Sha256.hex(copy);
                                // The first task to meet an id settles it; a stored one is reused only once re-hashed.
                                if (handled.add(id)) {
                                    var state = present.contains(id) ? stored.check(id) : StoredChunks.State.MISSING;
                                    if (state != StoredChunks.State.INTACT) {
                                        store.put(StoreKeys.chunk(id), copy);
                                        uploaded.incrementAndGet();
                                        uploadedBytes.addAndGet(copy.length);
                                        if (state == StoredChunks.State.DAMAGED) replaced.incrementAndGet();
                                    }
                                }
                                return new ChunkRef(id, copy.length);
                            } finally {
                                inFlight.release();
                            }
                        }));
                        chunkCount.incrementAndGet();
                        progress.update(done.addAndGet(len), total);
                    });
                }
                var chunks = new ArrayList<ChunkRef>();
                for (var fut : chunkFutures) chunks.add(await(fut));
                entries.add(new FileEntry(f.path(), Files.size(f.file()), Hex.of(fileDigest.digest()), List.copyOf(chunks)));
            }
        } finally {
            pool.shutdownNow();
        }

        var now = clock.instant();
        long serial = req.serial() > 0 ? req.serial() : highestSerial(req.model()) + 1;
        var manifest = new Manifest(Manifest.TYPE, 1, req.model(), req.version(), serial, Times.format(now),
                Times.format(now.plus(req.manifestValidity())), req.chunking(), List.copyOf(entries)).validated("new manifest");
        var manifestEnvelope = Envelope.sign(Envelope.MANIFEST_TYPE, Json.write(manifest), releaseKey).toJson();
        store.put(manifestKey, manifestEnvelope);

        var pointer = new ChannelPointers(store, releaseKey, clock).move(req.model(), req.channel(),
                new ChannelPointer.Target(req.version(), Sha256.hex(manifestEnvelope), serial), req.rolloutPercent(), req.channelValidity());
        return new Result(manifest, pointer, chunkCount.get(), uploaded.get(), uploadedBytes.get(), replaced.get());
    }

    private long highestSerial(String model) {
        long max = 0;
        for (var key : store.list(StoreKeys.manifestPrefix(model))) {
            if (!key.endsWith(".json")) continue;
            var bytes = store.get(key);
            if (bytes.isEmpty()) continue;
            try {
                var env = Envelope.parse(bytes.get(), key);
                max = Math.max(max, Json.read(env.payloadBytes(key), Manifest.class, key).serial());
            } catch (SyncException.MalformedMetadata e) {
                // An unreadable old manifest cannot hold the highest serial we must beat; skip it.
            }
        }
        return max;
    }

    private static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while uploading", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof SyncException se) throw se;
            throw new IOException("chunk upload failed: " + e.getCause().getMessage(), e.getCause());
        }
    }

}
