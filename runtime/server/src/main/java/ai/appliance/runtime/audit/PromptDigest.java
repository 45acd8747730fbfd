package ai.appliance.runtime.audit;

import ai.appliance.common.SecretKeyFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The audit log's digest of a prompt: HMAC-SHA256 keyed with a secret of this appliance. A plain SHA-256 of a
 * short prompt ("yes", a name, a card number) can be confirmed by anyone who reads the log and guesses; with the
 * key the digest still tells equal prompts apart on this box, and only someone holding the key can test a guess.
 * The key is 32 random bytes, hex, made on first use with permissions 0600 and kept from then on ({@link SecretKeyFile}).
 */
public final class PromptDigest {

    private static final String ALGORITHM = "HmacSHA256";

    private final SecretKeySpec key;

    private PromptDigest(byte[] key) {
        this.key = new SecretKeySpec(key, ALGORITHM);
    }

    /** The key in {@code keyFile}, written first (0600) if the file does not exist. */
    public static PromptDigest loadOrCreate(Path keyFile) {
        try {
            return new PromptDigest(SecretKeyFile.loadOrCreate(keyFile, "audit key file",
                    "delete it to have a new key made (earlier digests then no longer match)"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create the audit key " + keyFile + ": " + e.getMessage(), e);
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
