package ai.appliance.provisioning.keys;

import ai.appliance.provisioning.pki.PkiException;
import ai.appliance.provisioning.pki.PkiFiles;
import ai.appliance.provisioning.pki.SecureFiles;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Ed25519 release-signing keys in the encodings both sides of the sync contract read:
 * PEM PKCS#8 ("PRIVATE KEY") / X.509 SubjectPublicKeyInfo ("PUBLIC KEY"), and the sync agent's one-line files
 * {@code ed25519-private:<base64 PKCS#8>} / {@code ed25519-public:<base64 raw 32 bytes>} (docs/formats.md §4).
 * Key id = lower-case hex SHA-256 of the raw 32-byte public key.
 */
public final class Ed25519Keys {

    /** SubjectPublicKeyInfo of an Ed25519 key = this 12-byte prefix (RFC 8410) + the raw 32-byte key. */
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

    private Ed25519Keys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make Ed25519 keys", e);
        }
    }

    public static byte[] raw(PublicKey key) {
        var spki = key.getEncoded();
        if (spki.length != 44 || !Arrays.equals(Arrays.copyOf(spki, 12), SPKI_PREFIX)) {
            throw new PkiException("not an Ed25519 public key: " + key.getAlgorithm());
        }
        return Arrays.copyOfRange(spki, 12, 44);
    }

    public static String keyId(PublicKey key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw(key)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static byte[] sign(PrivateKey key, byte[] message) {
        try {
            var signature = Signature.getInstance("Ed25519");
            signature.initSign(key);
            signature.update(message);
            return signature.sign();
        } catch (GeneralSecurityException e) {
            throw new PkiException("cannot sign with Ed25519: " + e.getMessage(), e);
        }
    }

    public static boolean verify(PublicKey key, byte[] message, byte[] sig) {
        try {
            var signature = Signature.getInstance("Ed25519");
            signature.initVerify(key);
            signature.update(message);
            return signature.verify(sig);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /**
     * Writes {@code base.key.pem} (0600), {@code base.pub.pem}, {@code base.key} (0600) and {@code base.pub}.
     */
    public static void write(Path directory, String base, KeyPair pair) {
        PkiFiles.writePrivateKey(directory.resolve(base + ".key.pem"), pair.getPrivate());
        PkiFiles.writePublicKey(directory.resolve(base + ".pub.pem"), pair.getPublic());
        var b64 = Base64.getEncoder();
        SecureFiles.writePrivate(directory.resolve(base + ".key"),
                ("ed25519-private:" + b64.encodeToString(pair.getPrivate().getEncoded()) + "\n")
                        .getBytes(StandardCharsets.US_ASCII));
        SecureFiles.writePublic(directory.resolve(base + ".pub"),
                "ed25519-public:" + b64.encodeToString(raw(pair.getPublic())) + "\n");
    }

    public static KeyPair read(Path directory, String base) {
        var priv = PkiFiles.readPrivateKey(directory.resolve(base + ".key.pem"), "Ed25519");
        var pub = PkiFiles.readPublicKey(directory.resolve(base + ".pub.pem"), "Ed25519");
        return new KeyPair(pub, priv);
    }
}
