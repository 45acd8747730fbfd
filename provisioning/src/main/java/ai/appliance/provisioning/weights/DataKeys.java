package ai.appliance.provisioning.weights;

import ai.appliance.provisioning.pki.EcKeys;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.jce.ECNamedCurveTable;

import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;

/** Makes per-device data keys and wraps / unwraps them with the device's EC P-256 key (see {@link WrappedDataKey}). */
public final class DataKeys {

    private static final byte[] WRAP_INFO = "appliance data-key wrap v1".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private DataKeys() {
    }

    public static SecretKey generate() {
        var key = new byte[32];
        RANDOM.nextBytes(key);
        return new SecretKeySpec(key, "AES");
    }

    /** SHA-256 of the SubjectPublicKeyInfo DER: names a device key without revealing anything. */
    public static byte[] keyId(PublicKey key) {
        return sha256(key.getEncoded());
    }

    public static WrappedDataKey wrap(SecretKey dataKey, PublicKey devicePublicKey) {
        EcKeys.requireP256(devicePublicKey, "the device key a data key is wrapped to");
        try {
            var ephemeral = EcKeys.generate();
            var point = uncompressed((ECPublicKey) ephemeral.getPublic());
            var recipient = keyId(devicePublicKey);
            var kek = kek(ephemeral.getPrivate(), devicePublicKey, point, recipient);
            var nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            var draft = new WrappedDataKey(WrappedDataKey.ECDH_P256_HKDF_SHA256_AES256GCM, recipient, point, nonce,
                    new byte[0]);
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(draft.associatedData());
            var wrapped = cipher.doFinal(dataKey.getEncoded());
            return new WrappedDataKey(draft.algorithm(), recipient, point, nonce, wrapped);
        } catch (GeneralSecurityException e) {
            throw new EncryptedModelException("cannot wrap the data key: " + e.getMessage(), e);
        }
    }

    public static SecretKey unwrap(WrappedDataKey wrapped, PrivateKey deviceKey, PublicKey devicePublicKey) {
        var mine = keyId(devicePublicKey);
        if (!MessageDigest.isEqual(mine, wrapped.recipientKeyId())) {
            throw new EncryptedModelException("the data key was wrapped for device key "
                    + wrapped.recipientKeyIdHex().substring(0, 16) + "..., this device's key is "
                    + java.util.HexFormat.of().formatHex(mine).substring(0, 16) + "...");
        }
        try {
            var ephemeral = decodePoint(wrapped.ephemeralPoint());
            var kek = kek(deviceKey, ephemeral, wrapped.ephemeralPoint(), wrapped.recipientKeyId());
            var cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(128, wrapped.nonce()));
            cipher.updateAAD(wrapped.associatedData());
            return new SecretKeySpec(cipher.doFinal(wrapped.ciphertext()), "AES");
        } catch (javax.crypto.AEADBadTagException e) {
            throw new EncryptedModelException("the wrapped data key does not authenticate: it is corrupt or was "
                    + "not made for this device key");
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new EncryptedModelException("cannot unwrap the data key: " + e.getMessage(), e);
        }
    }

    private static SecretKey kek(PrivateKey own, PublicKey peer, byte[] ephemeralPoint, byte[] recipientKeyId)
            throws GeneralSecurityException {
        var agreement = KeyAgreement.getInstance("ECDH");
        agreement.init(own);
        agreement.doPhase(peer, true);
        var shared = agreement.generateSecret();
        var salt = new byte[ephemeralPoint.length + recipientKeyId.length];
        System.arraycopy(ephemeralPoint, 0, salt, 0, ephemeralPoint.length);
        System.arraycopy(recipientKeyId, 0, salt, ephemeralPoint.length, recipientKeyId.length);
        var okm = hkdf(shared, salt, WRAP_INFO, 32);
        Arrays.fill(shared, (byte) 0);
        return new SecretKeySpec(okm, "AES");
    }

    static byte[] hkdf(byte[] ikm, byte[] salt, byte[] info, int length) {
        var generator = new HKDFBytesGenerator(new SHA256Digest());
        generator.init(new HKDFParameters(ikm, salt, info));
        var out = new byte[length];
        generator.generateBytes(out, 0, length);
        return out;
    }

    static byte[] uncompressed(ECPublicKey key) {
        var out = new byte[65];
        out[0] = 4;
        copyFixed(key.getW().getAffineX(), out, 1);
        copyFixed(key.getW().getAffineY(), out, 33);
        return out;
    }

    private static void copyFixed(BigInteger value, byte[] out, int offset) {
        var bytes = value.toByteArray();
        int len = Math.min(bytes.length, 32);
        System.arraycopy(bytes, bytes.length - len, out, offset + 32 - len, len);
    }

    /** Decodes and validates (on the curve, not infinity) an uncompressed P-256 point. */
    static PublicKey decodePoint(byte[] encoded) throws GeneralSecurityException {
        var spec = ECNamedCurveTable.getParameterSpec(EcKeys.CURVE);
        var q = spec.getCurve().decodePoint(encoded).normalize(); // throws IllegalArgumentException off the curve
        var parameters = java.security.AlgorithmParameters.getInstance("EC");
        parameters.init(new java.security.spec.ECGenParameterSpec(EcKeys.CURVE));
        var params = parameters.getParameterSpec(java.security.spec.ECParameterSpec.class);
        var point = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, params));
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
