package ai.appliance.sync.agent;

import ai.appliance.sync.manifest.Manifest;
import ai.appliance.sync.util.Sha256;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Chunks that already sit inside verified local version folders (at a known file and offset). An update
 * reuses them instead of downloading, even after the cache evicted them, so the active version's files double
 * as its cache and a 150 GB model does not need 300 GB of disk.
 */
final class LocalChunkSource {
    private record Location(Path file, long offset, long size) {}

    private final Map<String, Location> index = new HashMap<>();

    void add(Manifest manifest, Path folder) {
        for (var f : manifest.files()) {
            long off = 0;
            for (var c : f.chunks()) {
                index.putIfAbsent(c.id(), new Location(folder.resolve(f.path()), off, c.size()));
                off += c.size();
            }
        }
    }

    boolean has(String id) {
        return index.containsKey(id);
    }

    /** The bytes when the local copy still matches the id. */
    Optional<byte[]> read(String id) {
        var loc = index.get(id);
        if (loc == null) return Optional.empty();
        try (var f = new RandomAccessFile(loc.file().toFile(), "r")) {
            var buf = new byte[Math.toIntExact(loc.size())];
            f.seek(loc.offset());
            f.readFully(buf);
            return Sha256.hex(buf).equals(id) ? Optional.of(buf) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
