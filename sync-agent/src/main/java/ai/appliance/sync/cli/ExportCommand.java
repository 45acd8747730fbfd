package ai.appliance.sync.cli;

import ai.appliance.common.ProgressBar;
import ai.appliance.sync.bundle.Bundles;
import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.trust.Ed25519;
import ai.appliance.sync.trust.MetadataVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a self-verifying bundle of one model version to a folder (USB disk for an air-gapped site).")
final class ExportCommand extends SyncSubcommand {
    @Option(names = "--from", required = true, description = "Store URI.") String from;
    @Option(names = "--name", required = true, description = "Model name.") String model;
    @Option(names = "--version", description = "Version (default: what the channel points at).") String version;
    @Option(names = "--channel", defaultValue = "stable") String channel;
    @Option(names = "--to", required = true, description = "Bundle folder.") Path to;
    @Option(names = "--trust-root", required = true, description = "Root public key to verify against.") Path trustRoot;

    @Override
    int execute() throws IOException {
        var verifier = new MetadataVerifier(Ed25519.readPublic(trustRoot), Clock.systemUTC());
        try (var src = StoreUris.open(from); var bar = ProgressBar.bytes(System.err, "export", 0)) {
            var v = Bundles.export(src, model, version, channel, to, verifier, bar::update);
            bar.close();
            out().printf("bundle %s: %s %s, %d chunks, %s, verified%n", to, model, v.manifest().version(), v.chunks(), ProgressBar.human(v.bytes()));
        }
        return 0;
    }
}
