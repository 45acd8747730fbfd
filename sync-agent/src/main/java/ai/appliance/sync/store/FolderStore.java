package ai.appliance.sync.store;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.util.AtomicFiles;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

/** A store in a local folder (embedded default, USB disk for air-gapped sites). Writes are atomic renames. */
public final class FolderStore implements ObjectStore {
    private final Path root;

    public FolderStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    private Path path(String key) {
        return root.resolve(StoreKeys.checked(key));
    }

    @Override
    public String describe() {
        return root.toString();
    }

    private void requireRoot() {
        if (!Files.isDirectory(root)) {
            throw new SyncException.StoreUnavailable("store folder " + root + " does not exist (disk not mounted?)", null);
        }
    }

    @Override
    public Optional<byte[]> get(String key) {
        requireRoot();
        try {
            return Optional.of(Files.readAllBytes(path(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new SyncException.StoreUnavailable("cannot read " + path(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public byte[] getFrom(String key, long offset) {
        requireRoot();
        try (var f = new RandomAccessFile(path(key).toFile(), "r")) {
            long len = f.length() - offset;
            if (len < 0) throw new SyncException.NotFound(describe() + ": " + key + " is shorter than offset " + offset);
            var out = new byte[Math.toIntExact(len)];
            f.seek(offset);
            f.readFully(out);
            return out;
        } catch (java.io.FileNotFoundException e) {
            throw new SyncException.NotFound(describe() + ": no object " + key);
        } catch (IOException e) {
            throw new SyncException.StoreUnavailable("cannot read " + path(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public java.io.InputStream openFrom(String key, long offset) {
        requireRoot();
        try {
            var ch = java.nio.channels.FileChannel.open(path(key), java.nio.file.StandardOpenOption.READ);
            ch.position(offset);
            return java.nio.channels.Channels.newInputStream(ch);
        } catch (NoSuchFileException e) {
            throw new SyncException.NotFound(describe() + ": no object " + key);
        } catch (IOException e) {
            throw new SyncException.StoreUnavailable("cannot read " + path(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public OptionalLong size(String key) {
        requireRoot();
        var p = path(key);
        try {
            return OptionalLong.of(Files.size(p));
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        } catch (IOException e) {
            throw new SyncException.StoreUnavailable("cannot stat " + p + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String key, byte[] data) {
        try {
            AtomicFiles.write(path(key), data);
        } catch (IOException e) {
            throw new SyncException.StoreUnavailable("cannot write " + path(key) + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void put(String key, Path file) {
        var target = path(key);
        try {
            Files.createDirectories(target.getParent());
            var tmp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + ".tmp");
            Files.copy(file, tmp, StandardCopyOption.REPLACE_EXISTING);
            AtomicFiles.fsync(tmp);
            AtomicFiles.move(tmp, target);
        } catch (IOException e) {
            throw new SyncException.StoreUnavailable("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        requireRoot();
        var base = prefix.isEmpty() ? root : path(prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix);
        if (!Files.isDirectory(base)) return List.of();
        try (Stream<Path> s = Files.walk(base)) {
            var out = new ArrayList<String>();
            s.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().endsWith(".tmp"))
                    .forEach(p -> out.add(root.relativize(p).toString().replace('\\', '/')));
            return out;
        } catch (IOException e) {
            throw new SyncException.StoreUnavailable("cannot list " + base + ": " + e.getMessage(), e);
        }
    }
}
