package ai.appliance.sync.manifest;

import java.util.List;

/**
 * Root metadata, signed by the offline root key: which release keys may sign manifests and channels, and
 * (optionally) which root keys sign the next root. A root that names new {@code rootKeys} rotates the root key:
 * it must be signed by a currently trusted root key and by one of the new ones.
 */
public record RootMetadata(String type, int formatVersion, long serial, String expires, List<ReleaseKey> releaseKeys,
                           List<ReleaseKey> rootKeys) {
    public static final String TYPE = "root";

    public record ReleaseKey(String keyId, String publicKey) {}
}
