package ai.appliance.sync.trust;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.util.Sha256;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;

/** Ed25519 keys (Bouncy Castle lightweight API) and their one-line file format (docs/formats.md §4). */
public final class Ed25519 {
    static final String PRIVATE_PREFIX = "ed25519-private:";
    static final String PUBLIC_PREFIX = "ed25519-public:";

    private Ed25519() {}

    /** A public key and its id (hex SHA-256 of the raw 32 bytes). */
    public record PublicKey(byte[] raw) {
        public PublicKey {
            if (raw.length != Ed25519PublicKeyParameters.KEY_SIZE) {
                throw new SyncException.MalformedMetadata("Ed25519 public key must be 32 bytes, got " + raw.length);
            }
            raw = raw.clone();
        }

        public String keyId() {
            return Sha256.hex(raw);
        }

        public String base64() {
            return Base64.getEncoder().encodeToString(raw);
        }

        public boolean verify(byte[] message, byte[] signature) {
            if (signature.length != Ed25519PrivateKeyParameters.SIGNATURE_SIZE) return false;
            var verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(raw, 0));
            verifier.update(message, 0, message.length);
            return verifier.verifySignature(signature);
        }
    }

    /** A private key; only the publisher and key tooling ever hold one. */
    public record KeyPair(byte[] seed, PublicKey publicKey) {
        public byte[] sign(byte[] message) {
            var signer = new Ed25519Signer();
            signer.init(true, new Ed25519PrivateKeyParameters(seed, 0));
            signer.update(message, 0, message.length);
            return signer.generateSignature();
        }
    }

    public static KeyPair generate(SecureRandom random) {
        var priv = new Ed25519PrivateKeyParameters(random);
        return new KeyPair(priv.getEncoded(), new PublicKey(priv.generatePublicKey().getEncoded()));
    }

    public static KeyPair fromSeed(byte[] seed) {
        var priv = new Ed25519PrivateKeyParameters(seed, 0);
        return new KeyPair(seed.clone(), new PublicKey(priv.generatePublicKey().getEncoded()));
    }

    public static void writeKeyPair(KeyPair pair, Path privateFile, Path publicFile) throws IOException {
        var priv = (PRIVATE_PREFIX + Base64.getEncoder().encodeToString(pair.seed()) + "\n").getBytes(StandardCharsets.US_ASCII);
        Files.write(privateFile, priv);
        try {
            Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // Non-POSIX file system: permissions are the operator's job there.
        }
        writePublic(pair.publicKey(), publicFile);
    }

    public static void writePublic(PublicKey key, Path file) throws IOException {
        Files.writeString(file, PUBLIC_PREFIX + key.base64() + "\n", StandardCharsets.US_ASCII);
    }

    public static KeyPair readPrivate(Path file) {
        var body = readLine(file, PRIVATE_PREFIX);
        return fromSeed(decode(body, file, 32));
    }

    public static PublicKey readPublic(Path file) {
        return new PublicKey(decode(readLine(file, PUBLIC_PREFIX), file, 32));
    }

    private static String readLine(Path file, String prefix) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new SyncException.UsageError("cannot read key file " + file + ": " + e.getMessage());
        }
        if (!text.startsWith(prefix)) {
            throw new SyncException.UsageError("key file " + file + " does not start with '" + prefix + "'");
        }
        return text.substring(prefix.length());
    }

    private static byte[] decode(String base64, Path file, int size) {
        try {
            var raw = Base64.getDecoder().decode(base64);
            if (raw.length != size) throw new IllegalArgumentException("length " + raw.length);
            return raw;
        } catch (IllegalArgumentException e) {
            throw new SyncException.UsageError("key file " + file + " holds no valid " + size + "-byte key");
        }
    }
}
