package ai.appliance.sync.cli;

import ai.appliance.sync.fleet.Notifier;
import ai.appliance.sync.publish.ChannelPointers;
import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.trust.Ed25519;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Point a channel (device group) at a published version, e.g. widen a staged rollout from 20%% to 100%%.")
final class PromoteCommand extends SyncSubcommand {
    @Parameters(index = "0", description = "Store URI.") String store;
    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", required = true) String version;
    @Option(names = "--key", required = true, description = "Release private key file.") Path key;
    @Option(names = "--channel", defaultValue = "stable") String channel;
    @Option(names = "--rollout", defaultValue = "100") int rollout;
    @Option(names = "--channel-valid-for", defaultValue = "P30D") Duration validity;
    @Option(names = "--mqtt", description = "Broker URI to notify agents.") String mqtt;

    @Override
    int execute() throws IOException {
        try (var s = StoreUris.open(store)) {
            var p = new ChannelPointers(s, Ed25519.readPrivate(key), Clock.systemUTC()).promote(model, channel, version, rollout, validity);
            out().printf("channel %s/%s -> %s at %d%% (serial %d)%n", model, channel, version, rollout, p.serial());
            if (mqtt != null) Notifier.notify(mqtt, p);
        }
        return 0;
    }
}
