package ai.appliance.sync.trust;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.manifest.ChannelPointer;
import ai.appliance.sync.manifest.Manifest;
import ai.appliance.sync.manifest.Names;
import ai.appliance.sync.manifest.RootMetadata;
import ai.appliance.sync.util.Json;
import ai.appliance.sync.util.Times;

import java.time.Clock;
import java.util.Base64;
import java.util.List;

/**
 * Checks signed metadata against the pinned root key: signature, signer, expiry and format. Rollback checks
 * (serial lower than installed) need local state and live in {@link TrustState}.
 */
public final class MetadataVerifier {
    private final Clock clock;
    /** Keys that may sign the next root: the pinned key until a root rotates it. */
    private volatile KeyRing rootKeys;

    public MetadataVerifier(Ed25519.PublicKey pinnedRoot, Clock clock) {
        this(KeyRing.of(List.of(pinnedRoot)), clock);
    }

    public MetadataVerifier(KeyRing rootKeys, Clock clock) {
        this.rootKeys = rootKeys;
        this.clock = clock;
    }

    /** An independent verifier starting from the same trusted root keys. */
    public MetadataVerifier copy() {
        return new MetadataVerifier(rootKeys, clock);
    }

    public KeyRing rootKeys() {
        return rootKeys;
    }

    /** After a root is accepted (and persisted), the keys it names sign the next one. */
    public void trust(TrustedRoot root) {
        rootKeys = root.nextRootKeys();
    }

    /** A verified root and the release keys it certifies. */
    public record TrustedRoot(RootMetadata root, KeyRing releaseKeys, KeyRing nextRootKeys, byte[] envelopeJson) {}

    public TrustedRoot verifyRoot(byte[] envelopeJson, String what) {
        return verifyRoot(envelopeJson, what, true);
    }

    /** {@code checkExpiry=false} only for intermediate roots of a rotation chain: they are history, not news. */
    public TrustedRoot verifyRoot(byte[] envelopeJson, String what, boolean checkExpiry) {
        var envelope = Envelope.parse(envelopeJson, what);
        var payload = envelope.verifiedPayload(Envelope.ROOT_TYPE, rootKeys, what);
        var root = Json.read(payload, RootMetadata.class, what);
        if (!RootMetadata.TYPE.equals(root.type()) || root.formatVersion() != 1 || root.releaseKeys() == null) {
            throw new SyncException.MalformedMetadata(what + ": not a format-1 root metadata");
        }
        if (checkExpiry) checkExpiry(root.expires(), what);
        var next = rootKeys;
        if (root.rootKeys() != null && !root.rootKeys().isEmpty()) {
            next = KeyRing.of(keys(root.rootKeys(), what));
            // Rotation: the new root key must have signed too, or a typo would lock every device out.
            envelope.verifiedPayload(Envelope.ROOT_TYPE, next, what + " (new root key)");
        }
        return new TrustedRoot(root, KeyRing.of(keys(root.releaseKeys(), what)), next, envelopeJson);
    }

    private static List<Ed25519.PublicKey> keys(List<RootMetadata.ReleaseKey> listed, String what) {
        return listed.stream().map(k -> {
            var key = new Ed25519.PublicKey(decode(k.publicKey(), what));
            if (!key.keyId().equals(k.keyId())) {
                throw new SyncException.MalformedMetadata(what + ": key id " + k.keyId() + " does not match its public key");
            }
            return key;
        }).toList();
    }

    public Manifest verifyManifest(byte[] envelopeJson, KeyRing releaseKeys, String what) {
        var payload = Envelope.parse(envelopeJson, what).verifiedPayload(Envelope.MANIFEST_TYPE, releaseKeys, what);
        var manifest = Json.read(payload, Manifest.class, what).validated(what);
        checkExpiry(manifest.expires(), what);
        return manifest;
    }

    public ChannelPointer verifyChannel(byte[] envelopeJson, KeyRing releaseKeys, String what) {
        var payload = Envelope.parse(envelopeJson, what).verifiedPayload(Envelope.CHANNEL_TYPE, releaseKeys, what);
        var ch = Json.read(payload, ChannelPointer.class, what);
        if (!ChannelPointer.TYPE.equals(ch.type()) || ch.formatVersion() != 1) {
            throw new SyncException.MalformedMetadata(what + ": not a format-1 channel pointer");
        }
        Names.model(ch.model());
        Names.channel(ch.channel());
        Names.version(ch.version());
        Names.sha256(ch.manifestSha256());
        if (ch.rolloutPercent() < 0 || ch.rolloutPercent() > 100) {
            throw new SyncException.MalformedMetadata(what + ": rolloutPercent " + ch.rolloutPercent() + " is outside 0..100");
        }
        if (ch.baseline() != null) {
            Names.version(ch.baseline().version());
            Names.sha256(ch.baseline().manifestSha256());
        }
        checkExpiry(ch.expires(), what);
        return ch;
    }

    private void checkExpiry(String expires, String what) {
        var t = Times.parse(expires, what + ": expires");
        if (!t.isAfter(clock.instant())) {
            throw new SyncException.MetadataExpired(what + ": expired at " + expires + " (a stale or frozen mirror; republish or re-sign it)");
        }
    }

    private static byte[] decode(String b64, String what) {
        try {
            return Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new SyncException.MalformedMetadata(what + ": release key is not base64");
        }
    }
}
