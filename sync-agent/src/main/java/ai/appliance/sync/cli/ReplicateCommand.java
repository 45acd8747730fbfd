package ai.appliance.sync.cli;

import ai.appliance.common.ProgressBar;
import ai.appliance.sync.SyncException;
import ai.appliance.sync.replicate.Replicator;
import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.trust.Ed25519;
import ai.appliance.sync.trust.MetadataVerifier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

@Command(name = "replicate", mixinStandardHelpOptions = true,
        description = "Copy a store to another (DR site, other bucket): only missing objects, every chunk re-verified.")
final class ReplicateCommand extends SyncSubcommand {
    @Option(names = "--from", required = true) String from;
    @Option(names = "--to", required = true) String to;
    @Option(names = "--trust-root", description = "Also verify metadata signatures against this root public key.") Path trustRoot;
    @Option(names = "--watch", description = "Keep replicating every --interval.") boolean watch;
    @Option(names = "--interval", defaultValue = "PT1M") Duration interval;
    @Option(names = "--parallel", defaultValue = "4") int parallel;

    @Override
    int execute() {
        var verifier = Optional.ofNullable(trustRoot).map(p -> new MetadataVerifier(Ed25519.readPublic(p), Clock.systemUTC()));
        try (var src = StoreUris.open(from); var dst = StoreUris.open(to)) {
            while (true) {
                try (var bar = ProgressBar.bytes(System.err, "replicate", 0)) {
                    var r = new Replicator(src, dst, parallel, verifier).replicate(bar::update);
                    bar.close();
                    out().printf("copied %d chunks (%s) and %d metadata objects; %d chunks already there%n",
                            r.chunksCopied(), ProgressBar.human(r.bytesCopied()), r.metadataCopied(), r.chunksSkipped());
                    if (r.metadataRefused() > 0) {
                        err().printf("warning: %d manifest/channel object(s) not copied: signed by a key the current root no longer trusts, or expired%n", r.metadataRefused());
                    }
                    out().flush();
                } catch (SyncException.StoreUnavailable e) {
                    if (!watch) throw e;
                    err().println("warning: " + e.getMessage() + "; retrying in " + interval);
                }
                if (!watch) return 0;
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 130;
                }
            }
        }
    }
}
