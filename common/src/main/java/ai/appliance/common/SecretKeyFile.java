package ai.appliance.common;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A 32-byte secret of this appliance (or of its fleet) kept as 64 lower-case hex digits in a file only its owner
 * may read (0600): the audit log's prompt-digest key and the watermark key. A new key is written whole under a
 * temporary name and moved into place, so a crash never leaves a short key behind.
 */
public final class SecretKeyFile {

    /** Bytes of every key: HMAC-SHA256 gains nothing from a longer one. */
    public static final int KEY_BYTES = 32;

    private static final String HEX_DIGITS = "[0-9a-f]{" + (2 * KEY_BYTES) + "}";

    private SecretKeyFile() {
    }

    /**
     * The key in {@code file}, written first if the file does not exist.
     *
     * @param what   how messages name the file ("audit key file")
     * @param advice what an operator can do about a damaged file, appended to the message
     * @throws IllegalArgumentException when the file does not hold a key
     */
    public static byte[] loadOrCreate(Path file, String what, String advice) throws IOException {
        if (!Files.exists(file)) {
            try {
                return create(file);
            } catch (FileAlreadyExistsException e) {
                // Another process made it first: use theirs.
            }
        }
        return read(file, what, advice);
    }

    /**
     * The key in {@code file}.
     *
     * @throws IllegalArgumentException when the file does not hold 64 lower-case hex digits
     */
    public static byte[] read(Path file, String what, String advice) throws IOException {
        return parse(Files.readString(file, StandardCharsets.US_ASCII), what + " " + file, advice);
    }

    /**
     * The key written as hex ({@code text}, surrounding white space ignored).
     *
     * @param source how the message names where the text came from
     * @throws IllegalArgumentException when it is not 64 lower-case hex digits
     */
    public static byte[] parse(String text, String source, String advice) {
        var hex = text.strip();
        if (!hex.matches(HEX_DIGITS)) {
            throw new IllegalArgumentException(source + " must hold " + (2 * KEY_BYTES) + " lower-case hex digits"
                    + (advice.isEmpty() ? "" : "; " + advice));
        }
        return HexFormat.of().parseHex(hex);
    }

    /**
     * Writes a new random key to {@code file} (0600 where the file system has POSIX permissions), making its folder
     * if needed, and returns it.
     *
     * @throws FileAlreadyExistsException when {@code file} exists: a key is never replaced here, since everything
     *                                    made with the old one would stop matching
     */
    public static byte[] create(Path file) throws IOException {
        var folder = file.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        var bytes = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        boolean posix = folder.getFileSystem().supportedFileAttributeViews().contains("posix");
        var tmp = posix
                ? Files.createTempFile(folder, ".key", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(folder, ".key", ".tmp");
        try {
            Files.writeString(tmp, HexFormat.of().formatHex(bytes) + "\n", StandardCharsets.US_ASCII);
            publish(tmp, file);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return bytes;
    }

    /** Gives {@code tmp} the name {@code file} unless that exists; a hard link does so atomically where it exists. */
    private static void publish(Path tmp, Path file) throws IOException {
        try {
            Files.createLink(file, tmp);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            if (Files.exists(file)) {
                throw new FileAlreadyExistsException(file.toString());
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
