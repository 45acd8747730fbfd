package ai.appliance.sync.bundle;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.manifest.ChannelPointer;
import ai.appliance.sync.manifest.Manifest;
import ai.appliance.sync.replicate.Replicator;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.store.ObjectStore;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.trust.MetadataVerifier;
import ai.appliance.sync.util.Progress;
import ai.appliance.sync.util.Sha256;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Air-gap bundles (docs/formats.md §11): a folder with the store layout holding one version, verified in full
 * on export and again on import against the pinned root key.
 */
public final class Bundles {
    private Bundles() {}

    public record Verified(Manifest manifest, Optional<ChannelPointer> pointer, long chunks, long bytes) {}

    /** Writes model/version (default: what the channel points at) from {@code from} into folder {@code dir}. */
    public static Verified export(ObjectStore from, String model, String version, String channel, Path dir, MetadataVerifier verifier, Progress progress) throws IOException {
        Files.createDirectories(dir);
        var root = ai.appliance.sync.trust.RootChain.resolve(from, verifier);
        var channelKey = StoreKeys.channel(model, channel);
        var pointer = from.get(channelKey).map(b -> verifier.verifyChannel(b, root.releaseKeys(), channelKey));
        var v = version != null ? version : pointer.map(ChannelPointer::version)
                .orElseThrow(() -> new SyncException.UsageError("no --version given and no channel " + channelKey + " to take it from"));
        var manifestKey = StoreKeys.manifest(model, v);
        var manifest = verifier.verifyManifest(from.get(manifestKey).orElseThrow(() -> new SyncException.NotFound(from.describe() + ": no " + manifestKey)),
                root.releaseKeys(), manifestKey);
        Set<String> keys = new HashSet<>();
        manifest.distinctChunks().keySet().forEach(id -> keys.add(StoreKeys.chunk(id)));
        keys.add(manifestKey);
        keys.add(StoreKeys.ROOT);
        from.list("roots/").forEach(keys::add); // the rotation chain, for devices pinned to an older root key
        if (pointer.isPresent() && pointer.get().version().equals(v)) keys.add(channelKey);
        var to = new FolderStore(dir);
        new Replicator(from, to, 4, Optional.of(verifier)).replicate(keys::contains, progress);
        Files.writeString(dir.resolve("BUNDLE.txt"), "Appliance model bundle: " + model + " " + v + " (serial " + manifest.serial() + ")\n"
                + "Import on the air-gapped side with: ./appliance sync import " + dir.getFileName() + "\n"
                + "Every object is verified against the pinned root key and its SHA-256 on import.\n", StandardCharsets.UTF_8);
        return verify(to, model, channel, verifier, progress);
    }

    /** Verifies a bundle completely: signatures, expiry, every chunk's size and SHA-256. */
    public static Verified verify(ObjectStore bundle, String model, String channel, MetadataVerifier verifier, Progress progress) {
        var root = ai.appliance.sync.trust.RootChain.resolve(bundle, verifier);
        var manifests = bundle.list(StoreKeys.manifestPrefix(model));
        if (manifests.size() != 1) {
            throw new SyncException.MalformedMetadata(bundle.describe() + ": a bundle holds exactly one manifest of " + model + ", found " + manifests.size());
        }
        var manifestBytes = bundle.get(manifests.getFirst()).orElseThrow();
        var manifest = verifier.verifyManifest(manifestBytes, root.releaseKeys(), bundle.describe() + ": " + manifests.getFirst());
        var channelKey = StoreKeys.channel(model, channel);
        var pointer = bundle.get(channelKey).map(b -> verifier.verifyChannel(b, root.releaseKeys(), bundle.describe() + ": " + channelKey));
        if (pointer.isPresent() && !pointer.get().manifestSha256().equals(Sha256.hex(manifestBytes))) {
            throw new SyncException.IntegrityFailure(bundle.describe() + ": channel pointer names a different manifest than the bundle holds");
        }
        long bytes = 0;
        long done = 0;
        var chunks = manifest.distinctChunks();
        for (var e : chunks.entrySet()) {
            var key = StoreKeys.chunk(e.getKey());
            var data = bundle.get(key).orElseThrow(() -> new SyncException.IntegrityFailure(bundle.describe() + ": chunk " + e.getKey() + " is missing from the bundle"));
            if (data.length != e.getValue() || !Sha256.hex(data).equals(e.getKey())) {
                throw new SyncException.IntegrityFailure(bundle.describe() + ": chunk " + e.getKey() + " differs from the manifest (size or SHA-256)");
            }
            bytes += data.length;
            progress.update(++done, chunks.size());
        }
        return new Verified(manifest, pointer, chunks.size(), bytes);
    }

    /** The model names present in a bundle (from its manifests folder). */
    public static Set<String> models(ObjectStore bundle) {
        var out = new HashSet<String>();
        for (var k : bundle.list("manifests/")) out.add(k.split("/")[1]);
        return out;
    }

}
