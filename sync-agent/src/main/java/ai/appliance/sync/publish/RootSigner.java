package ai.appliance.sync.publish;

import ai.appliance.sync.manifest.RootMetadata;
import ai.appliance.sync.trust.Ed25519;
import ai.appliance.sync.trust.Envelope;
import ai.appliance.sync.util.Json;
import ai.appliance.sync.util.Times;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Signs root metadata with the offline root key: the list of release keys devices will accept. */
public final class RootSigner {
    private RootSigner() {}

    public static byte[] sign(Ed25519.KeyPair rootKey, List<Ed25519.PublicKey> releaseKeys, long serial, Duration validity, Clock clock) {
        return sign(List.of(rootKey), List.of(), releaseKeys, serial, validity, clock);
    }

    /**
     * Signs with every key in {@code signers}. A non-empty {@code newRootKeys} rotates the root key: sign with the
     * currently trusted root key and the new one; later roots are signed by the new one only.
     */
    public static byte[] sign(List<Ed25519.KeyPair> signers, List<Ed25519.PublicKey> newRootKeys, List<Ed25519.PublicKey> releaseKeys,
                              long serial, Duration validity, Clock clock) {
        var root = new RootMetadata(RootMetadata.TYPE, 1, serial, Times.format(clock.instant().plus(validity)),
                releaseKeys.stream().map(k -> new RootMetadata.ReleaseKey(k.keyId(), k.base64())).toList(),
                newRootKeys.isEmpty() ? null : newRootKeys.stream().map(k -> new RootMetadata.ReleaseKey(k.keyId(), k.base64())).toList());
        return Envelope.signAll(Envelope.ROOT_TYPE, Json.write(root), signers).toJson();
    }
}
