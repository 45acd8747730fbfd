package ai.appliance.sync.manifest;

import java.util.List;

/** Root metadata, signed by the offline root key: which release keys may sign manifests and channels. */
public record RootMetadata(String type, int formatVersion, long serial, String expires, List<ReleaseKey> releaseKeys) {
    public static final String TYPE = "root";

    public record ReleaseKey(String keyId, String publicKey) {}
}
