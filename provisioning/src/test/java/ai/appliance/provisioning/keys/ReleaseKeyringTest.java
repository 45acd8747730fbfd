package ai.appliance.provisioning.keys;

import ai.appliance.provisioning.pki.PkiException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ReleaseKeyringTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T10:00:00Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void initWritesRootAndReleaseKeysInBothEncodingsAndASignedRootJson() throws Exception {
        var keyring = new ReleaseKeyring(dir, CLOCK);
        var state = keyring.init(Duration.ofDays(365));
        assertEquals(1, state.serial());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("root.key.pem"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("root.key"))));

        // The sync agent's one-line forms decode to the same keys as the PEM files.
        var root = Ed25519Keys.read(dir, "root");
        var line = Files.readString(dir.resolve("root.pub")).trim();
        assertTrue(line.startsWith("ed25519-public:"));
        assertArrayEquals(Ed25519Keys.raw(root.getPublic()), Base64.getDecoder().decode(line.substring(15)));
        var privLine = Files.readString(dir.resolve("root.key")).trim();
        var priv = KeyFactory.getInstance("Ed25519").generatePrivate(
                new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privLine.substring("ed25519-private:".length()))));
        var message = "x".getBytes();
        assertTrue(Ed25519Keys.verify(root.getPublic(), message, Ed25519Keys.sign(priv, message)));

        var payload = verifiedPayload(keyring.rootJson(), List.of(root.getPublic()));
        assertEquals("root", payload.get("type").asText());
        assertEquals(1, payload.get("serial").asLong());
        assertEquals("2027-11-23T10:00:00Z", payload.get("expires").asText());
        var release = keyring.releaseKey(state.releaseKeys().getFirst());
        assertEquals(Ed25519Keys.keyId(release.getPublic()), payload.get("releaseKeys").get(0).get("keyId").asText());
    }

    @Test
    void rotatingTheReleaseKeyRaisesTheSerialAndRetiresTheOldKey() throws Exception {
        var keyring = new ReleaseKeyring(dir, CLOCK);
        var first = keyring.init(ReleaseKeyring.DEFAULT_VALIDITY);
        var overlap = keyring.rotateRelease(true, ReleaseKeyring.DEFAULT_VALIDITY);
        assertEquals(2, overlap.serial());
        assertEquals(2, overlap.releaseKeys().size());
        assertEquals(first.releaseKeys().getFirst(), overlap.releaseKeys().get(1));
        var clean = keyring.rotateRelease(false, ReleaseKeyring.DEFAULT_VALIDITY);
        assertEquals(3, clean.serial());
        assertEquals(1, clean.releaseKeys().size());
        assertFalse(overlap.releaseKeys().contains(clean.releaseKeys().getFirst()));
        assertFalse(Files.exists(dir.resolve(overlap.releaseKeys().getFirst() + ".key.pem")));
        assertFalse(Files.exists(dir.resolve(first.releaseKeys().getFirst() + ".key.pem")));
        try (var retired = Files.list(dir.resolve("retired"))) {
            assertTrue(retired.anyMatch(p -> p.getFileName().toString().startsWith(first.releaseKeys().getFirst())));
        }
        var root = Ed25519Keys.read(dir, "root").getPublic();
        assertEquals(1, verifiedPayload(keyring.rootJson(), List.of(root)).get("releaseKeys").size());
    }

    @Test
    void rotatingTheRootCrossSignsSoDevicesPinningEitherRootAccept() throws Exception {
        var keyring = new ReleaseKeyring(dir, CLOCK);
        keyring.init(ReleaseKeyring.DEFAULT_VALIDITY);
        var oldRoot = Ed25519Keys.read(dir, "root").getPublic();
        keyring.rotateRoot(ReleaseKeyring.DEFAULT_VALIDITY);
        var newRoot = Ed25519Keys.read(dir, "root").getPublic();
        assertNotEquals(Ed25519Keys.keyId(oldRoot), Ed25519Keys.keyId(newRoot));
        assertEquals(2, verifiedPayload(keyring.rootJson(), List.of(oldRoot)).get("serial").asLong());
        assertEquals(2, verifiedPayload(keyring.rootJson(), List.of(newRoot)).get("serial").asLong());
    }

    @Test
    void aTamperedPayloadNoLongerVerifies() throws Exception {
        var keyring = new ReleaseKeyring(dir, CLOCK);
        keyring.init(ReleaseKeyring.DEFAULT_VALIDITY);
        var root = Ed25519Keys.read(dir, "root").getPublic();
        var envelope = (com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(keyring.rootJson().toFile());
        var payload = new String(Base64.getDecoder().decode(envelope.get("payload").asText())).replace("\"serial\":1",
                "\"serial\":9");
        envelope.put("payload", Base64.getEncoder().encodeToString(payload.getBytes()));
        Files.writeString(keyring.rootJson(), envelope.toString());
        assertThrows(AssertionError.class, () -> verifiedPayload(keyring.rootJson(), List.of(root)));
    }

    @Test
    void initTwiceIsRefused() {
        var keyring = new ReleaseKeyring(dir, CLOCK);
        keyring.init(ReleaseKeyring.DEFAULT_VALIDITY);
        assertThrows(PkiException.class, () -> keyring.init(ReleaseKeyring.DEFAULT_VALIDITY));
    }

    /** What the sync agent does: find a signature by a trusted key id and verify it over the DSSE PAE. */
    private static JsonNode verifiedPayload(Path rootJson, List<PublicKey> trusted) throws Exception {
        var envelope = JSON.readTree(rootJson.toFile());
        var payload = Base64.getDecoder().decode(envelope.get("payload").asText());
        var pae = Dsse.preAuthenticationEncoding(envelope.get("payloadType").asText(), payload);
        var ok = new ArrayList<String>();
        for (var sig : envelope.get("signatures")) {
            for (var key : trusted) {
                if (Ed25519Keys.keyId(key).equals(sig.get("keyId").asText())
                        && Ed25519Keys.verify(key, pae, Base64.getDecoder().decode(sig.get("sig").asText()))) {
                    ok.add(sig.get("keyId").asText());
                }
            }
        }
        if (ok.isEmpty()) throw new AssertionError("no trusted signature verifies");
        assertEquals(Dsse.ROOT_TYPE, envelope.get("payloadType").asText());
        return JSON.readTree(payload);
    }
}
