package ai.appliance.sync.cli;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.agent.SyncAgent;
import ai.appliance.sync.agent.SyncConfig;
import ai.appliance.sync.bundle.Bundles;
import ai.appliance.sync.replicate.Replicator;
import ai.appliance.sync.store.FolderStore;
import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.trust.Ed25519;
import ai.appliance.sync.trust.MetadataVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Verify a bundle completely, then copy it into a store (--to) or install it on this device.")
final class ImportCommand extends SyncSubcommand {
    @Parameters(index = "0", description = "Bundle folder.") Path bundle;
    @Option(names = "--to", description = "Copy into this store (a site's local store) instead of installing.") String to;
    @Option(names = "--channel", defaultValue = "stable") String channel;
    @Mixin StoreRootOption where;

    @Override
    int execute() {
        if (!Files.isDirectory(bundle)) throw new SyncException.UsageError("bundle folder " + bundle + " does not exist");
        var trustRoot = where.trustRoot != null ? where.trustRoot : where.storeRoot.resolve("trust/root.pub");
        var verifier = new MetadataVerifier(Ed25519.readPublic(trustRoot), Clock.systemUTC());
        var store = new FolderStore(bundle);
        var models = Bundles.models(store);
        if (models.size() != 1) throw new SyncException.MalformedMetadata(bundle + ": a bundle holds one model, found " + models);
        var model = models.iterator().next();
        var v = Bundles.verify(store, model, channel, verifier, (d, t) -> {});
        out().printf("bundle verified: %s %s, %d chunks%n", model, v.manifest().version(), v.chunks());
        if (to != null) {
            try (var dst = StoreUris.open(to)) {
                var r = new Replicator(store, dst, 4, Optional.of(verifier)).replicate((d, t) -> {});
                out().printf("copied %d chunks and %d metadata objects into %s%n", r.chunksCopied(), r.metadataCopied(), dst.describe());
            }
            return 0;
        }
        if (v.pointer().isEmpty()) throw new SyncException.UsageError(bundle + " has no channel pointer for '" + channel + "'; use --to to stage it in a store");
        var cfg = SyncConfig.of(where.storeRoot, List.of(bundle.toString()), List.of(new SyncConfig.ModelRef(model, channel)));
        if (where.deviceId != null) cfg = cfg.withDeviceId(where.deviceId);
        try (var agent = SyncAgent.builder().config(new SyncConfig(cfg.storeRoot(), cfg.stores(), cfg.models(), cfg.deviceId(), null, null, 0, 0, 0, 0, 0, null, null, trustRoot)).build()) {
            var s = agent.runOnce().getFirst();
            out().println(StatusCommand.line(s));
            return s.lastError() == null ? 0 : 3;
        }
    }
}
