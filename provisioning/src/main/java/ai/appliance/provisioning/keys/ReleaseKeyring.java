package ai.appliance.provisioning.keys;

import ai.appliance.provisioning.pki.PkiException;
import ai.appliance.provisioning.pki.SecureFiles;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The release-signing keys of the model store (the sync agent verifies with them), kept in one folder:
 * <pre>
 * root.key.pem / root.key        Ed25519 root private key (PKCS#8 PEM / sync one-line), 0600 — keep offline
 * root.pub.pem / root.pub        root public key; root.pub is what devices pin as &lt;store&gt;/trust/root.pub
 * release-&lt;id&gt;.{key,pub}{,.pem} release keys listed in root.json (id = first 16 hex of the key id)
 * root.json                      DSSE envelope of the root metadata (docs/formats.md §4), signed by the root key
 * keyring.json                   this folder's state: serial, expiry, active release key ids
 * retired/                       keys rotated out (kept so old signatures can still be audited)
 * </pre>
 */
public final class ReleaseKeyring {

    public static final Duration DEFAULT_VALIDITY = Duration.ofDays(365);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** keyring.json. */
    public record State(int formatVersion, long serial, String expires, String rootKeyId, List<String> releaseKeys) {
    }

    private final Path dir;
    private final Clock clock;

    public ReleaseKeyring(Path dir, Clock clock) {
        this.dir = dir;
        this.clock = clock;
    }

    public Path rootJson() {
        return dir.resolve("root.json");
    }

    public State init(Duration validity) {
        if (Files.exists(dir.resolve("root.key.pem"))) {
            throw new PkiException(dir.resolve("root.key.pem") + " already exists: use `provision keys rotate`");
        }
        var root = Ed25519Keys.generate();
        Ed25519Keys.write(dir, "root", root);
        var release = Ed25519Keys.generate();
        var releaseName = releaseBase(release);
        Ed25519Keys.write(dir, releaseName, release);
        return publish(new State(1, 1, expiry(validity), Ed25519Keys.keyId(root.getPublic()),
                List.of(releaseName)), List.of(root));
    }

    /** A new release key; the previous one stays listed (overlap for signed-but-unpublished releases) if asked. */
    public State rotateRelease(boolean keepPrevious, Duration validity) {
        var state = state();
        var root = Ed25519Keys.read(dir, "root");
        var fresh = Ed25519Keys.generate();
        var freshName = releaseBase(fresh);
        Ed25519Keys.write(dir, freshName, fresh);
        var listed = new ArrayList<String>();
        listed.add(freshName);
        if (keepPrevious && !state.releaseKeys().isEmpty()) listed.add(state.releaseKeys().getFirst());
        for (var old : state.releaseKeys()) if (!listed.contains(old)) retire(old);
        return publish(new State(1, state.serial() + 1, expiry(validity), state.rootKeyId(), listed), List.of(root));
    }

    /**
     * A new root key. The new root.json is signed by the old and the new root (so a device still pinning the
     * old root accepts it); devices then pin the new root.pub (provision enroll --store-root writes it).
     */
    public State rotateRoot(Duration validity) {
        var state = state();
        var oldRoot = Ed25519Keys.read(dir, "root");
        retire("root");
        var newRoot = Ed25519Keys.generate();
        Ed25519Keys.write(dir, "root", newRoot);
        return publish(new State(1, state.serial() + 1, expiry(validity), Ed25519Keys.keyId(newRoot.getPublic()),
                state.releaseKeys()), List.of(newRoot, oldRoot));
    }

    /** Re-signs root.json with a new expiry (the agent refuses expired metadata: freeze-attack guard). */
    public State resign(Duration validity) {
        var state = state();
        return publish(new State(1, state.serial() + 1, expiry(validity), state.rootKeyId(), state.releaseKeys()),
                List.of(Ed25519Keys.read(dir, "root")));
    }

    public State state() {
        var file = dir.resolve("keyring.json");
        try {
            return JSON.readValue(file.toFile(), State.class);
        } catch (IOException e) {
            throw new PkiException("cannot read " + file + " (run `provision keys init` first): " + e.getMessage(), e);
        }
    }

    public KeyPair releaseKey(String name) {
        return Ed25519Keys.read(dir, name);
    }

    private State publish(State state, List<KeyPair> signers) {
        var releaseKeys = new ArrayList<Map<String, String>>();
        for (var name : state.releaseKeys()) {
            var pub = Ed25519Keys.read(dir, name).getPublic();
            releaseKeys.add(Map.of("keyId", Ed25519Keys.keyId(pub),
                    "publicKey", Base64.getEncoder().encodeToString(Ed25519Keys.raw(pub))));
        }
        var payload = new LinkedHashMap<String, Object>();
        payload.put("type", "root");
        payload.put("formatVersion", 1);
        payload.put("serial", state.serial());
        payload.put("expires", state.expires());
        payload.put("releaseKeys", releaseKeys);
        try {
            var bytes = new ObjectMapper().writeValueAsBytes(payload);
            var envelope = Dsse.envelope(Dsse.ROOT_TYPE, bytes, signers);
            SecureFiles.writePublic(rootJson(), JSON.writeValueAsString(envelope) + "\n");
            SecureFiles.writePublic(dir.resolve("keyring.json"), JSON.writeValueAsString(state) + "\n");
        } catch (IOException e) {
            throw new PkiException("cannot write " + rootJson() + ": " + e.getMessage(), e);
        }
        return state;
    }

    private void retire(String base) {
        var retired = dir.resolve("retired");
        try {
            Files.createDirectories(retired);
            var stamp = clock.instant().toString().replace(':', '-');
            for (var suffix : List.of(".key.pem", ".pub.pem", ".key", ".pub")) {
                var f = dir.resolve(base + suffix);
                if (Files.exists(f)) {
                    Files.move(f, retired.resolve(base + "-" + stamp + suffix), StandardCopyOption.ATOMIC_MOVE);
                }
            }
        } catch (IOException e) {
            throw new PkiException("cannot retire " + base + " into " + retired + ": " + e.getMessage(), e);
        }
    }

    private static String releaseBase(KeyPair pair) {
        return "release-" + Ed25519Keys.keyId(pair.getPublic()).substring(0, 16);
    }

    private String expiry(Duration validity) {
        return clock.instant().plus(validity).truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
}
