package ai.appliance.sync.trust;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The public keys trusted for one role, looked up by key id. */
public record KeyRing(Map<String, Ed25519.PublicKey> byId) {
    public static KeyRing of(List<Ed25519.PublicKey> keys) {
        return new KeyRing(keys.stream().collect(Collectors.toUnmodifiableMap(Ed25519.PublicKey::keyId, Function.identity(), (a, b) -> a)));
    }

    public Optional<Ed25519.PublicKey> find(String keyId) {
        return Optional.ofNullable(byId.get(keyId));
    }
}
