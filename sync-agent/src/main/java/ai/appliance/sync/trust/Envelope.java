package ai.appliance.sync.trust;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.util.Json;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * A DSSE-style signed envelope: the payload travels as opaque bytes, so signatures never depend on how a
 * JSON library orders or spaces keys (docs/formats.md §4).
 */
public record Envelope(String payloadType, String payload, List<Signature> signatures) {
    public static final String ROOT_TYPE = "application/vnd.appliance.root+json";
    public static final String MANIFEST_TYPE = "application/vnd.appliance.manifest+json";
    public static final String CHANNEL_TYPE = "application/vnd.appliance.channel+json";

    public record Signature(String keyId, String sig) {}

    public static Envelope sign(String payloadType, byte[] payload, Ed25519.KeyPair key) {
        var sig = key.sign(pae(payloadType, payload));
        return new Envelope(payloadType, Base64.getEncoder().encodeToString(payload),
                List.of(new Signature(key.publicKey().keyId(), Base64.getEncoder().encodeToString(sig))));
    }

    /** One payload signed by several keys (a root rotation is signed by the old and the new root key). */
    public static Envelope signAll(String payloadType, byte[] payload, List<Ed25519.KeyPair> keys) {
        var message = pae(payloadType, payload);
        return new Envelope(payloadType, Base64.getEncoder().encodeToString(payload), keys.stream()
                .map(k -> new Signature(k.publicKey().keyId(), Base64.getEncoder().encodeToString(k.sign(message)))).toList());
    }

    public static Envelope parse(byte[] json, String what) {
        var env = Json.read(json, Envelope.class, what);
        if (env.payloadType == null || env.payload == null || env.signatures == null) {
            throw new SyncException.MalformedMetadata(what + ": not a signed envelope (payloadType/payload/signatures missing)");
        }
        return env;
    }

    public byte[] toJson() {
        return Json.writePretty(this);
    }

    public byte[] payloadBytes(String what) {
        try {
            return Base64.getDecoder().decode(payload);
        } catch (IllegalArgumentException e) {
            throw new SyncException.MalformedMetadata(what + ": payload is not base64");
        }
    }

    /** DSSE pre-authentication encoding: binds the payload type into what is signed. */
    static byte[] pae(String payloadType, byte[] payload) {
        var type = payloadType.getBytes(StandardCharsets.UTF_8);
        var out = new ByteArrayOutputStream(payload.length + type.length + 32);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /**
     * Returns the payload when at least one signature verifies with a key in {@code keys}; otherwise refuses.
     */
    public byte[] verifiedPayload(String expectedType, KeyRing keys, String what) {
        if (!expectedType.equals(payloadType)) {
            throw new SyncException.SignatureRejected(what + ": payload type '" + payloadType + "' where '" + expectedType + "' was expected");
        }
        var payloadBytes = payloadBytes(what);
        var message = pae(payloadType, payloadBytes);
        boolean sawKnownKey = false;
        for (var s : signatures) {
            if (s == null || s.keyId() == null || s.sig() == null) continue;
            var key = keys.find(s.keyId());
            if (key.isEmpty()) continue;
            sawKnownKey = true;
            byte[] sig;
            try {
                sig = Base64.getDecoder().decode(s.sig());
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (key.get().verify(message, sig)) return payloadBytes;
        }
        throw new SyncException.SignatureRejected(what + (sawKnownKey
                ? ": signature does not verify (tampered or corrupted)"
                : ": signed by no trusted key (unknown signer " + firstKeyId() + ")"));
    }

    private String firstKeyId() {
        return signatures.isEmpty() || signatures.getFirst() == null ? "none" : String.valueOf(signatures.getFirst().keyId());
    }
}
