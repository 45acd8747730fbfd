package ai.appliance.sync.publish;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.manifest.ChannelPointer;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.trust.Envelope;
import ai.appliance.sync.trust.Ed25519;
import ai.appliance.sync.util.Json;
import ai.appliance.sync.util.Sha256;
import ai.appliance.sync.util.Times;

import java.time.Clock;
import java.time.Duration;

/** Writes signed channel pointers: publish moves one, {@code promote} widens a staged rollout. */
public final class ChannelPointers {
    private final ObjectStore store;
    private final Ed25519.KeyPair releaseKey;
    private final Clock clock;

    public ChannelPointers(ObjectStore store, Ed25519.KeyPair releaseKey, Clock clock) {
        this.store = store;
        this.releaseKey = releaseKey;
        this.clock = clock;
    }

    /** The current pointer as written (read without verification: the publisher owns it). */
    public java.util.Optional<ChannelPointer> current(String model, String channel) {
        var key = StoreKeys.channel(model, channel);
        return store.get(key).map(b -> Json.read(Envelope.parse(b, key).payloadBytes(key), ChannelPointer.class, key));
    }

    /**
     * Points the channel at {@code target} for {@code percent}% of devices; the rest keep the version the
     * channel pointed at before (the baseline).
     */
    public ChannelPointer move(String model, String channel, ChannelPointer.Target target, int percent, Duration validity) {
        var prev = current(model, channel);
        ChannelPointer.Target baseline = null;
        if (percent < 100 && prev.isPresent()) {
            var p = prev.get();
            baseline = p.version().equals(target.version()) ? p.baseline() : (p.rolloutPercent() >= 100 || p.baseline() == null ? p.target() : p.baseline());
        }
        long serial = prev.map(ChannelPointer::serial).orElse(0L) + 1;
        var pointer = new ChannelPointer(ChannelPointer.TYPE, 1, model, channel, serial,
                Times.format(clock.instant().plus(validity)), target.version(), target.manifestSha256(), target.manifestSerial(),
                percent, baseline);
        store.put(StoreKeys.channel(model, channel), Envelope.sign(Envelope.CHANNEL_TYPE, Json.write(pointer), releaseKey).toJson());
        return pointer;
    }

    /** Moves the channel to an already published version (promotion or a new rollout percentage). */
    public ChannelPointer promote(String model, String channel, String version, int percent, Duration validity) {
        var key = StoreKeys.manifest(model, version);
        var envelope = store.get(key).orElseThrow(() -> new SyncException.NotFound(store.describe() + ": version " + version + " of " + model + " was never published"));
        var manifest = Json.read(Envelope.parse(envelope, key).payloadBytes(key), ai.appliance.sync.manifest.Manifest.class, key);
        return move(model, channel, new ChannelPointer.Target(version, Sha256.hex(envelope), manifest.serial()), percent, validity);
    }
}
