package ai.appliance.sync.publish;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.chunk.ChunkingParams;
import ai.appliance.sync.chunk.FastCdc;
import ai.appliance.sync.manifest.Manifest;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.trust.Envelope;
import ai.appliance.sync.util.Json;
import ai.appliance.sync.util.Sha256;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Checks a store the way a device will read it: every chunk that some manifest names must be there and hash to its
 * name. Damage found can be repaired from the model's source files: they are chunked again with each affected
 * manifest's parameters and the chunks whose ids are missing or damaged are uploaded. This is a data check, not a
 * trust check: signatures are the device's business and are not verified here.
 */
public final class StoreCheck {
    /** A chunk some manifest needs that the store does not hold intact; {@code usedBy} as "model version". */
    public record BadChunk(String id, StoredChunks.State state, List<String> usedBy) {}

    /** What a check found; {@code unreadable} lists manifests that could not be parsed. */
    public record Report(int manifests, int chunksChecked, List<BadChunk> bad, List<String> unreadable) {
        public boolean intact() {
            return bad.isEmpty() && unreadable.isEmpty();
        }
    }

    private final ObjectStore store;
    private final int parallelism;
    private final Map<String, Manifest> manifests = new LinkedHashMap<>();

    public StoreCheck(ObjectStore store, int parallelism) {
        this.store = store;
        this.parallelism = Math.max(1, parallelism);
    }

    public Report check() throws IOException {
        manifests.clear();
        var unreadable = new ArrayList<String>();
        for (var key : store.list("manifests/").stream().filter(k -> k.endsWith(".json")).sorted().toList()) {
            try {
                var bytes = store.get(key).orElseThrow(() -> new SyncException.NotFound(key));
                var envelope = Envelope.parse(bytes, key);
                manifests.put(key, Json.read(envelope.payloadBytes(key), Manifest.class, key).validated(key));
            } catch (SyncException.MalformedMetadata | SyncException.NotFound e) {
                unreadable.add(key + ": " + e.getMessage());
            }
        }
        var users = new LinkedHashMap<String, List<String>>();
        for (var m : manifests.values()) {
            for (var id : m.distinctChunks().keySet()) {
                users.computeIfAbsent(id, k -> new ArrayList<>()).add(m.model() + " " + m.version());
            }
        }
        var stored = new StoredChunks(store);
        var pool = Executors.newFixedThreadPool(parallelism);
        try {
            var states = new LinkedHashMap<String, Future<StoredChunks.State>>();
            users.keySet().forEach(id -> states.put(id, pool.submit(() -> stored.check(id))));
            var bad = new ArrayList<BadChunk>();
            for (var e : states.entrySet()) {
                var state = await(e.getValue());
                if (state != StoredChunks.State.INTACT) bad.add(new BadChunk(e.getKey(), state, List.copyOf(users.get(e.getKey()))));
            }
            return new Report(manifests.size(), users.size(), List.copyOf(bad), List.copyOf(unreadable));
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Uploads, from {@code sources} (model folders or files), every chunk of {@code bad} found there, chunking them
     * with the parameters of the manifests that use those chunks. Returns the ids repaired.
     */
    public Set<String> repair(List<BadChunk> bad, List<Path> sources) throws IOException {
        var wanted = new HashSet<String>();
        bad.forEach(b -> wanted.add(b.id()));
        var chunkings = new LinkedHashSet<ChunkingParams>();
        for (var m : manifests.values()) {
            if (m.distinctChunks().keySet().stream().anyMatch(wanted::contains)) chunkings.add(m.chunking());
        }
        var repaired = new HashSet<String>();
        for (var chunking : chunkings) {
            var chunker = new FastCdc(chunking);
            for (var source : sources) {
                for (var f : SourceFiles.list(source)) {
                    try (var ch = FileChannel.open(f.file(), StandardOpenOption.READ)) {
                        chunker.split(ch, (buf, off, len) -> {
                            var id = Sha256.hex(buf, off, len);
                            if (wanted.contains(id) && repaired.add(id)) {
                                store.put(StoreKeys.chunk(id), java.util.Arrays.copyOfRange(buf, off, off + len));
                            }
                        });
                    }
                }
            }
        }
        return repaired;
    }

    private static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while checking chunks", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SyncException se) throw se;
            throw new IOException("chunk check failed: " + e.getCause().getMessage(), e.getCause());
        }
    }
}
