package ai.appliance.provisioning.pki;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/** File writes for key material: private files are created 0600 from the first byte, and replaced atomically. */
public final class SecureFiles {

    private SecureFiles() {
    }

    /** Writes a secret: the file never exists with wider permissions than owner read/write. */
    public static void writePrivate(Path file, byte[] content) {
        write(file, content, true);
    }

    public static void writePublic(Path file, byte[] content) {
        write(file, content, false);
    }

    public static void writePublic(Path file, String content) {
        write(file, content.getBytes(java.nio.charset.StandardCharsets.UTF_8), false);
    }

    public static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new PkiException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path file, byte[] content, boolean secret) {
        var target = file.toAbsolutePath();
        try {
            Files.createDirectories(target.getParent());
            var tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            if (secret) {
                createOwnerOnly(tmp);
            } else {
                Files.createFile(tmp);
            }
            Files.write(tmp, content, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException e) {
            throw new PkiException("cannot write " + file + ": a concurrent writer holds " + e.getFile(), e);
        } catch (IOException e) {
            throw new PkiException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Created 0600 atomically where the file system has POSIX permissions; elsewhere (FAT, Windows) as is. */
    private static void createOwnerOnly(Path file) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
    }
}
