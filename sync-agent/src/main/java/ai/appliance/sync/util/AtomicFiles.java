package ai.appliance.sync.util;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file writes: write a temp file, fsync it, rename it over the target, fsync the folder.
 * After a kill -9 or power loss a reader sees either the old or the new content, never a torn file.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    public static void write(Path target, byte[] content) throws IOException {
        Files.createDirectories(target.getParent());
        var tmp = target.resolveSibling(target.getFileName() + ".tmp");
        try (var ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            var buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        move(tmp, target);
        fsyncDirectory(target.getParent());
    }

    /** Rename that replaces the target atomically (POSIX rename(2)). */
    public static void move(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("atomic rename not supported from " + source + " to " + target, e);
        }
    }

    public static void fsync(Path file) throws IOException {
        try (var ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    /** fsync of a directory makes renames and creations in it durable (Linux; a no-op where unsupported). */
    public static void fsyncDirectory(Path dir) throws IOException {
        try (var ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some file systems refuse to open directories; durability then rests on the file fsyncs.
            if (!System.getProperty("os.name", "").toLowerCase().contains("win")) throw e;
        }
    }
}
