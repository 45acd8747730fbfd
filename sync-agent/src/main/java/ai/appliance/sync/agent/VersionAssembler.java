package ai.appliance.sync.agent;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.manifest.Manifest;
import ai.appliance.sync.util.AtomicFiles;
import ai.appliance.sync.util.Hex;
import ai.appliance.sync.util.Sha256;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Builds a version folder from verified chunks in a staging folder, re-hashes every file, fsyncs files and
 * folders, and only then renames it into {@code versions/}. A folder under {@code versions/} is therefore
 * always complete and verified.
 */
final class VersionAssembler {
    private final LocalLayout layout;
    private final ChunkCache cache;

    VersionAssembler(LocalLayout layout, ChunkCache cache) {
        this.layout = layout;
        this.cache = cache;
    }

    Path assemble(Manifest manifest, LocalChunkSource local) {
        var model = manifest.model();
        var target = layout.version(model, manifest.version());
        try {
            if (Files.isDirectory(target)) {
                // Left by a run killed between rename and switch: keep it only if it is intact.
                if (VersionFiles.problems(manifest, target).isEmpty()) return target;
                deleteTree(target);
            }
            var staging = layout.staging(model).resolve(manifest.version() + ".tmp");
            deleteTree(staging);
            Files.createDirectories(staging);
            for (var f : manifest.files()) {
                var out = staging.resolve(f.path());
                Files.createDirectories(out.getParent());
                var digest = Sha256.newDigest();
                try (var ch = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    for (var c : f.chunks()) {
                        var data = cache.read(c.id(), c.size()).or(() -> local.read(c.id()))
                                .orElseThrow(() -> new SyncException.IntegrityFailure("chunk " + c.id() + " of '" + f.path()
                                        + "' is missing or damaged in the local cache; it will be fetched again"));
                        digest.update(data);
                        var buf = ByteBuffer.wrap(data);
                        while (buf.hasRemaining()) ch.write(buf);
                    }
                    ch.force(true);
                }
                var sha = Hex.of(digest.digest());
                if (Files.size(out) != f.size() || !sha.equals(f.sha256())) {
                    throw new SyncException.IntegrityFailure(model + " " + manifest.version() + ": assembled '" + f.path()
                            + "' does not match the manifest's size/SHA-256");
                }
            }
            fsyncTree(staging);
            Files.createDirectories(target.getParent());
            AtomicFiles.move(staging, target);
            AtomicFiles.fsyncDirectory(target.getParent());
            return target;
        } catch (IOException e) {
            throw new SyncException.LocalStateError("cannot assemble " + model + " " + manifest.version() + " in " + target + ": " + e.getMessage(), e);
        }
    }

    static void fsyncTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (var p : s.sorted(Comparator.reverseOrder()).toList()) {
                if (Files.isDirectory(p)) AtomicFiles.fsyncDirectory(p);
            }
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (var p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
