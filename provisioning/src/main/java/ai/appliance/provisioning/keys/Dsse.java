package ai.appliance.provisioning.keys;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * DSSE envelopes as docs/formats.md §4 specifies them: Ed25519 over
 * {@code "DSSEv1" SP len(type) SP type SP len(payload) SP payload}.
 */
public final class Dsse {

    public static final String ROOT_TYPE = "application/vnd.appliance.root+json";

    private Dsse() {
    }

    public static byte[] preAuthenticationEncoding(String payloadType, byte[] payload) {
        var out = new ByteArrayOutputStream();
        var type = payloadType.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(("DSSEv1 " + type.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(type);
        out.writeBytes((" " + payload.length + " ").getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    /** The envelope as a JSON-ready map, signed by every key given (in order). */
    public static Map<String, Object> envelope(String payloadType, byte[] payload, List<KeyPair> signers) {
        var pae = preAuthenticationEncoding(payloadType, payload);
        var signatures = new ArrayList<Map<String, String>>();
        for (var signer : signers) {
            signatures.add(Map.of("keyId", Ed25519Keys.keyId(signer.getPublic()),
                    "sig", Base64.getEncoder().encodeToString(Ed25519Keys.sign(signer.getPrivate(), pae))));
        }
        var envelope = new LinkedHashMap<String, Object>();
        envelope.put("payloadType", payloadType);
        envelope.put("payload", Base64.getEncoder().encodeToString(payload));
        envelope.put("signatures", signatures);
        return envelope;
    }
}
