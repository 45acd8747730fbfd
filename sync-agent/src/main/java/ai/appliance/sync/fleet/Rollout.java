package ai.appliance.sync.fleet;

import ai.appliance.sync.manifest.ChannelPointer;
import ai.appliance.sync.util.Sha256;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Staged rollout: which target a device takes from a channel pointer. The bucket is a hash of the device id
 * salted with the release, so it is stable per device (raising the percentage only adds devices) and each
 * release starts on a different slice of the fleet (docs/formats.md §6).
 */
public final class Rollout {
    private Rollout() {}

    public static int bucket(String model, String channel, String version, String deviceId) {
        var digest = Sha256.newDigest().digest((model + "/" + channel + "/" + version + "/" + deviceId).getBytes(StandardCharsets.UTF_8));
        long v = ((digest[0] & 0xffL) << 24) | ((digest[1] & 0xffL) << 16) | ((digest[2] & 0xffL) << 8) | (digest[3] & 0xffL);
        return (int) (v % 100);
    }

    /** The target for this device; empty when it is outside the rollout and there is no baseline. */
    public static Optional<ChannelPointer.Target> choose(ChannelPointer pointer, String deviceId) {
        if (bucket(pointer.model(), pointer.channel(), pointer.version(), deviceId) < pointer.rolloutPercent()) {
            return Optional.of(pointer.target());
        }
        return Optional.ofNullable(pointer.baseline());
    }
}
