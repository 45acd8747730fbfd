package ai.appliance.runtime.watermark;

import ai.appliance.common.SecretKeyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret a watermark is keyed with: 32 bytes, one per appliance or one shared by a fleet (the same file on every
 * box). Whoever holds it can both detect the watermark and forge it, so it is read from an owner-only file
 * ({@link SecretKeyFile}) and never printed: {@link #toString()} and {@link #id()} show only a fingerprint.
 */
public final class WatermarkKey {

    private static final String HMAC = "HmacSHA256";
    private static final String DAMAGED = "write a new one with ./appliance watermark keygen (text marked with the"
            + " old key is then no longer detected with it)";

    private final SecretKeySpec key;
    private final String id;

    private WatermarkKey(byte[] key) {
        this.key = new SecretKeySpec(key, HMAC);
        this.id = fingerprint(key);
    }

    /** The key in {@code file}; a missing or damaged file is an error naming it. */
    public static WatermarkKey read(Path file) {
        try {
            return new WatermarkKey(SecretKeyFile.read(file, "watermark key file", DAMAGED));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("watermark key file " + file + " does not exist (./appliance watermark"
                    + " keygen --out " + file + " makes one)");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the watermark key " + file + ": " + e.getMessage(), e);
        }
    }

    /** The key in {@code file}, written first (0600) when the file does not exist: a key of this appliance. */
    public static WatermarkKey loadOrCreate(Path file) {
        try {
            return new WatermarkKey(SecretKeyFile.loadOrCreate(file, "watermark key file", DAMAGED));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the watermark key " + file + ": " + e.getMessage(), e);
        }
    }

    /** A key given as 64 hex digits (a command-line argument). */
    public static WatermarkKey fromHex(String hex) {
        return new WatermarkKey(SecretKeyFile.parse(hex.toLowerCase(java.util.Locale.ROOT), "the watermark key", ""));
    }

    /**
     * A short public name of the key: the first 16 hex digits of SHA-256 over a label and the key. It tells which key
     * an appliance uses (in its log, beside a detection) without revealing anything of it.
     */
    public String id() {
        return id;
    }

    /** A fresh HMAC-SHA256 keyed with this key (a {@link Mac} serves one thread). */
    Mac newMac() {
        try {
            var mac = Mac.getInstance(HMAC);
            mac.init(key);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "WatermarkKey[id=" + id + "]";
    }

    private static String fingerprint(byte[] key) {
        try {
            var sha = MessageDigest.getInstance("SHA-256");
            sha.update("appliance watermark key id\n".getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(sha.digest(key), 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }
}
