package ai.appliance.runtime.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The audit log's digest of a prompt: HMAC-SHA256 keyed with a secret of this appliance. A plain SHA-256 of a
 * short prompt ("yes", a name, a card number) can be confirmed by anyone who reads the log and guesses; with the
 * key the digest still tells equal prompts apart on this box, and only someone holding the key can test a guess.
 * The key is 32 random bytes, hex, made on first use with permissions 0600 and kept from then on.
 */
public final class PromptDigest {

    private static final String ALGORITHM = "HmacSHA256";
    private static final int KEY_BYTES = 32;

    private final SecretKeySpec key;

    private PromptDigest(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /** The key in {@code keyFile}, written first (0600) if the file does not exist. */
    public static PromptDigest loadOrCreate(Path keyFile) {
        try {
            if (!Files.exists(keyFile)) {
                create(keyFile);
            }
            var text = Files.readString(keyFile, StandardCharsets.US_ASCII).strip();
            if (!text.matches("[0-9a-f]{" + (2 * KEY_BYTES) + "}")) {
                throw new IllegalArgumentException("audit key file " + keyFile + " must hold " + (2 * KEY_BYTES)
                        + " lower-case hex digits; delete it to have a new key made (earlier digests then no longer match)");
            }
            return new PromptDigest(HexFormat.of().parseHex(text));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the audit key " + keyFile + ": " + e.getMessage(), e);
        }
    }

    private static void create(Path keyFile) throws IOException {
        var folder = keyFile.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        var bytes = new byte[KEY_BYTES];
        new SecureRandom().nextBytes(bytes);
        var tmp = AuditFiles.supportsPosix(folder)
                ? Files.createTempFile(folder, ".audit-key", ".tmp",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(folder, ".audit-key", ".tmp");
        try {
            // Written whole under a temporary name, so a crash never leaves a short key behind.
            Files.writeString(tmp, HexFormat.of().formatHex(bytes) + "\n", StandardCharsets.US_ASCII);
            Files.move(tmp, keyFile, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Lower-case hex HMAC-SHA256 of the prompt's UTF-8 bytes. */
    public String of(String prompt) {
        try {
            var mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(prompt.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }
}
