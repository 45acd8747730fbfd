package ai.appliance.sync.agent;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.util.AtomicFiles;
import ai.appliance.sync.util.Json;
import ai.appliance.sync.util.Sha256;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * Verified chunks on disk ({@code <root>/cache/chunks}). A chunk file exists only once its bytes matched its id
 * (written to a temp name, fsynced, renamed), so a kill -9 leaves either nothing or a verified chunk.
 * Eviction is LRU under a byte limit and never touches pinned chunks (active and rollback versions).
 */
public final class ChunkCache {
    private final Path dir;
    private final Path lruFile;
    private final Map<String, Long> lastUse = new ConcurrentHashMap<>();

    public ChunkCache(Path cacheRoot) {
        this.dir = cacheRoot.resolve("chunks");
        this.lruFile = cacheRoot.resolve("lru.json");
        try {
            Files.createDirectories(dir);
            if (Files.exists(lruFile)) {
                @SuppressWarnings("unchecked")
                Map<String, Number> m = Json.read(Files.readAllBytes(lruFile), Map.class, lruFile.toString());
                m.forEach((k, v) -> lastUse.put(k, v.longValue()));
            }
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot open chunk cache " + dir + ": " + e.getMessage(), e);
        } catch (SyncException.MalformedMetadata e) {
            // A torn LRU index only costs eviction order; start a fresh one.
        }
        removeTemporaries();
    }

    /** Where a chunk being downloaded accumulates; survives restarts so a ranged GET can resume it. */
    Path partial(String id) {
        return dir.getParent().resolve("partial").resolve(id + ".part");
    }

    Path path(String id) {
        return dir.resolve(id.substring(0, 2)).resolve(id);
    }

    public boolean has(String id) {
        return Files.exists(path(id));
    }

    /** Stores bytes already verified against {@code id}. */
    public void putVerified(String id, byte[] data) {
        var target = path(id);
        try {
            Files.createDirectories(target.getParent());
            var tmp = target.resolveSibling(id + "." + UUID.randomUUID() + ".tmp");
            try (var ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                var buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) ch.write(buf);
                ch.force(true);
            }
            AtomicFiles.move(tmp, target);
            lastUse.put(id, System.currentTimeMillis());
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot write chunk " + target + ": " + e.getMessage(), e);
        }
    }

    /** The chunk's bytes when present and still matching its id; a rotten copy is deleted. */
    public Optional<byte[]> read(String id, long size) {
        var p = path(id);
        try {
            var data = Files.readAllBytes(p);
            if (data.length != size || !Sha256.hex(data).equals(id)) {
                Files.deleteIfExists(p);
                return Optional.empty();
            }
            lastUse.put(id, System.currentTimeMillis());
            return Optional.of(data);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot read chunk " + p + ": " + e.getMessage(), e);
        }
    }

    public long sizeBytes() {
        return entries().stream().mapToLong(Entry::size).sum();
    }

    private record Entry(String id, Path path, long size) {}

    private java.util.List<Entry> entries() {
        var out = new ArrayList<Entry>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().endsWith(".tmp")).forEach(p -> {
                try {
                    out.add(new Entry(p.getFileName().toString(), p, Files.size(p)));
                } catch (IOException ignored) {
                    // Deleted concurrently: nothing to count.
                }
            });
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot list chunk cache " + dir + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Evicts least recently used, unpinned chunks until the cache fits in {@code maxBytes}. Returns bytes freed. */
    public long evict(long maxBytes, Set<String> pinned) {
        var all = entries();
        long total = all.stream().mapToLong(Entry::size).sum();
        long freed = 0;
        all.sort(Comparator.comparingLong(e -> lastUse.getOrDefault(e.id(), 0L)));
        for (var e : all) {
            if (total - freed <= maxBytes) break;
            if (pinned.contains(e.id())) continue;
            try {
                Files.deleteIfExists(e.path());
                lastUse.remove(e.id());
                freed += e.size();
            } catch (IOException ex) {
                throw new SyncException.LocalStateError("cannot evict " + e.path() + ": " + ex.getMessage(), ex);
            }
        }
        saveLru();
        return freed;
    }

    /** Removes every chunk not in {@code keep} (gc). */
    public long removeAllExcept(Set<String> keep) {
        long freed = 0;
        for (var e : entries()) {
            if (keep.contains(e.id())) continue;
            try {
                Files.deleteIfExists(e.path());
                lastUse.remove(e.id());
                freed += e.size();
            } catch (IOException ex) {
                throw new SyncException.LocalStateError("cannot delete " + e.path() + ": " + ex.getMessage(), ex);
            }
        }
        saveLru();
        return freed;
    }

    /** Drops half-downloaded chunks (gc: the version they were for may never come back). Returns bytes freed. */
    public long removePartials() {
        var partials = dir.getParent().resolve("partial");
        if (!Files.isDirectory(partials)) return 0;
        long freed = 0;
        try (Stream<Path> s = Files.list(partials)) {
            for (var p : s.toList()) {
                freed += Files.size(p);
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot clean " + partials + ": " + e.getMessage(), e);
        }
        return freed;
    }

    public void saveLru() {
        try {
            AtomicFiles.write(lruFile, Json.write(Map.copyOf(lastUse)));
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot write " + lruFile + ": " + e.getMessage(), e);
        }
    }

    private void removeTemporaries() {
        try (Stream<Path> s = Files.walk(dir)) {
            for (var p : s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot clean " + dir + ": " + e.getMessage(), e);
        }
    }
}
