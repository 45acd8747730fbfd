package ai.appliance.sync.cli;

import ai.appliance.sync.SyncException;
import ai.appliance.sync.agent.SyncConfig;
import picocli.CommandLine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Options shared by the device-side commands: where the local store is and what to sync. */
final class StoreRootOption {
    @CommandLine.Option(names = "--store-root", defaultValue = "store", description = "Local store root (default: ${DEFAULT-VALUE}).")
    Path storeRoot;

    @CommandLine.Option(names = "--store", description = "Remote store URI, in failover order (repeatable); overrides sync.json.")
    List<String> stores = new ArrayList<>();

    @CommandLine.Option(names = "--model", description = "Model to sync as NAME or NAME:CHANNEL (repeatable); overrides sync.json.")
    List<String> models = new ArrayList<>();

    @CommandLine.Option(names = "--trust-root", description = "Pinned root public key (default: <store-root>/trust/root.pub).")
    Path trustRoot;

    @CommandLine.Option(names = "--device-id", description = "Device id for staged rollouts (default: host name).")
    String deviceId;

    /** sync.json merged with command-line overrides. */
    SyncConfig config() {
        var file = SyncConfig.load(storeRoot);
        var stores = !this.stores.isEmpty() ? this.stores : file.map(SyncConfig::stores).orElse(List.of());
        var models = !this.models.isEmpty() ? this.models.stream().map(StoreRootOption::modelRef).toList()
                : file.map(SyncConfig::models).orElse(List.of());
        if (stores.isEmpty()) throw new SyncException.UsageError("no store configured: pass --store URI or write " + storeRoot.resolve("sync.json"));
        if (models.isEmpty()) throw new SyncException.UsageError("no model configured: pass --model NAME or write " + storeRoot.resolve("sync.json"));
        var base = file.orElse(null);
        var cfg = new SyncConfig(storeRoot, stores, models,
                deviceId != null ? deviceId : base == null ? null : base.deviceId(),
                base == null ? null : base.pollInterval(), base == null ? null : base.verifyInterval(),
                base == null ? 0 : base.parallelism(), base == null ? 0 : base.bandwidthBytesPerSecond(),
                base == null ? 0 : base.retries(), base == null ? 0 : base.keepVersions(), base == null ? 0 : base.cacheMaxBytes(),
                base == null ? null : base.loadTimeout(), base == null ? null : base.mqtt(),
                trustRoot != null ? trustRoot : base == null ? null : base.trustRoot());
        return cfg;
    }

    /** For commands that work on local state only: stores may be absent (they are never contacted). */
    SyncConfig localConfig() {
        try {
            return config();
        } catch (SyncException.UsageError e) {
            // No store configured: fine for commands that only touch local state.
        }
        var names = localModels();
        if (names.isEmpty()) throw new SyncException.UsageError("no model in " + storeRoot.resolve("models") + " (nothing installed yet)");
        return new SyncConfig(storeRoot, List.of(storeRoot.resolve("no-remote-store").toString()),
                names.stream().map(n -> new SyncConfig.ModelRef(n, null)).toList(), deviceId, null, null, 0, 0, 0, 0, 0, null, null, trustRoot);
    }

    /** Models known locally (for status/verify/rollback/gc, which need no store). */
    List<String> localModels() {
        if (!models.isEmpty()) return models.stream().map(m -> modelRef(m).name()).toList();
        var file = SyncConfig.load(storeRoot);
        if (file.isPresent()) return file.get().models().stream().map(SyncConfig.ModelRef::name).toList();
        var dir = storeRoot.resolve("models");
        if (!java.nio.file.Files.isDirectory(dir)) return List.of();
        try (var s = java.nio.file.Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (java.io.IOException e) {
            throw new SyncException.LocalStateError("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    static SyncConfig.ModelRef modelRef(String spec) {
        int colon = spec.indexOf(':');
        return colon < 0 ? new SyncConfig.ModelRef(spec, null) : new SyncConfig.ModelRef(spec.substring(0, colon), spec.substring(colon + 1));
    }
}
