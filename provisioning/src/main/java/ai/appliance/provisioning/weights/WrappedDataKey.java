package ai.appliance.provisioning.weights;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A 256-bit data key encrypted to one device's EC P-256 key (ECIES-style):
 * <pre>
 * u8   algorithm      1 = ECDH P-256, HKDF-SHA256, AES-256-GCM
 * [32] recipientKeyId SHA-256 of the device public key's X.509 SubjectPublicKeyInfo DER
 * [65] ephemeral      uncompressed point 0x04 || X || Y of a one-time P-256 key
 * [12] nonce
 * [48] ciphertext     data key (32) + GCM tag (16)
 * </pre>
 * KEK = HKDF-SHA256(ikm = ECDH(ephemeral, device).x, salt = ephemeral || recipientKeyId,
 * info = "appliance data-key wrap v1", 32 bytes); AAD = algorithm || recipientKeyId || ephemeral.
 */
public record WrappedDataKey(byte algorithm, byte[] recipientKeyId, byte[] ephemeralPoint, byte[] nonce,
                             byte[] ciphertext) {

    public static final byte ECDH_P256_HKDF_SHA256_AES256GCM = 1;
    public static final int ENCODED_LENGTH = 1 + 32 + 65 + 12 + 48;

    public byte[] encode() {
        return ByteBuffer.allocate(ENCODED_LENGTH).put(algorithm).put(recipientKeyId).put(ephemeralPoint).put(nonce)
                .put(ciphertext).array();
    }

    public static WrappedDataKey decode(byte[] encoded, String source) {
        if (encoded.length != ENCODED_LENGTH) {
            throw new EncryptedModelException(source + ": wrapped data key has " + encoded.length + " bytes, expected "
                    + ENCODED_LENGTH);
        }
        if (encoded[0] != ECDH_P256_HKDF_SHA256_AES256GCM) {
            throw new EncryptedModelException(source + ": unknown data-key wrap algorithm " + encoded[0]);
        }
        return new WrappedDataKey(encoded[0], Arrays.copyOfRange(encoded, 1, 33), Arrays.copyOfRange(encoded, 33, 98),
                Arrays.copyOfRange(encoded, 98, 110), Arrays.copyOfRange(encoded, 110, ENCODED_LENGTH));
    }

    /** The bytes authenticated together with the wrapped key. */
    byte[] associatedData() {
        return ByteBuffer.allocate(1 + 32 + 65).put(algorithm).put(recipientKeyId).put(ephemeralPoint).array();
    }

    public String recipientKeyIdHex() {
        return java.util.HexFormat.of().formatHex(recipientKeyId);
    }
}
