package ai.appliance.sync.cli;

import ai.appliance.sync.publish.RootSigner;
import ai.appliance.sync.store.StoreKeys;
import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.trust.Ed25519;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

@Command(name = "sign-root", mixinStandardHelpOptions = true,
        description = "Sign root metadata with the offline root key: which release keys devices accept.")
final class SignRootCommand extends SyncSubcommand {
    @Option(names = "--root-key", required = true, description = "Root private key file (repeat with the old and the new key to rotate).")
    List<Path> rootKeys;

    @Option(names = "--new-root-pub", description = "Rotate the root key: public key(s) that sign later roots (repeatable).")
    List<Path> newRootKeys = List.of();

    @Option(names = "--release-pub", required = true, description = "Release public key file (repeatable).")
    List<Path> releaseKeys;

    @Option(names = "--serial", defaultValue = "1", description = "Root serial; must grow with every re-signing (default ${DEFAULT-VALUE}).")
    long serial;

    @Option(names = "--valid-for", defaultValue = "P365D", description = "Validity, ISO-8601 duration (default ${DEFAULT-VALUE}).")
    Duration validity;

    @Option(names = "--store", description = "Write root.json into this store.")
    String store;

    @Option(names = "--out", description = "Write root.json to this file (for carrying from an offline machine).")
    Path out;

    @Override
    int execute() throws IOException {
        if (store == null && out == null) throw new ai.appliance.sync.SyncException.UsageError("give --store or --out");
        var bytes = RootSigner.sign(rootKeys.stream().map(Ed25519::readPrivate).toList(), newRootKeys.stream().map(Ed25519::readPublic).toList(),
                releaseKeys.stream().map(Ed25519::readPublic).toList(), serial, validity, Clock.systemUTC());
        if (out != null) Files.write(out, bytes);
        if (store != null) {
            try (var s = StoreUris.open(store)) {
                s.put(StoreKeys.rootHistory(serial), bytes);
                s.put(StoreKeys.ROOT, bytes);
            }
        }
        out().println("root metadata serial " + serial + " signed for " + releaseKeys.size() + " release key(s)");
        return 0;
    }
}
