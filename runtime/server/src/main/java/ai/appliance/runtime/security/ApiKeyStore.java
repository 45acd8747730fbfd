package ai.appliance.runtime.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * API keys, held only as SHA-256 hashes (the configuration never contains a usable key). Keys are long random
 * strings, so a plain hash is enough: there is nothing to brute-force as with passwords.
 */
public final class ApiKeyStore {

    /** A configured key: its hash ("sha256:" + 64 hex digits), owner name, role and optional rate. */
    public record Entry(String name, String sha256, Role role, double ratePerSecond) { }

    private final Map<String, Principal> byHash = new HashMap<>();

    public ApiKeyStore(List<Entry> entries) {
        for (var e : entries) {
            var hex = e.sha256().toLowerCase().replaceFirst("^sha256:", "");
            if (!hex.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("security.api-keys '" + e.name()
                        + "': hash must be sha256:<64 hex digits>; make one with ./appliance apikey");
            }
            byHash.put(hex, new Principal(e.name(), e.role(), e.ratePerSecond()));
        }
    }

    public boolean isEmpty() {
        return byHash.isEmpty();
    }

    public Optional<Principal> find(String presentedKey) {
        if (presentedKey == null || presentedKey.isBlank()) {
            return Optional.empty();
        }
        return Optional.ofNullable(byHash.get(sha256Hex(presentedKey.trim())));
    }

    public static String sha256Hex(String text) {
        try {
            var digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
