package ai.appliance.sync.cli;

import ai.appliance.common.ProgressBar;
import ai.appliance.sync.chunk.ChunkingParams;
import ai.appliance.sync.fleet.Notifier;
import ai.appliance.sync.publish.Publisher;
import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.trust.Ed25519;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Chunk a model folder or file, upload the chunks the store lacks or holds damaged (reused chunks are "
                + "read back and re-hashed), sign the manifest and move the channel.")
final class PublishCommand extends SyncSubcommand {
    @Parameters(index = "0", description = "Model folder or single file.")
    Path source;

    @Parameters(index = "1", description = "Store URI (s3://bucket/prefix?endpoint=..&pathStyle=true, or a folder).")
    String store;

    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", required = true) String version;
    @Option(names = "--key", required = true, description = "Release private key file.") Path key;
    @Option(names = "--channel", defaultValue = "stable", description = "Channel / device group (default ${DEFAULT-VALUE}).") String channel;
    @Option(names = "--rollout", defaultValue = "100", description = "Percent of the group that takes this version first (default ${DEFAULT-VALUE}).") int rollout;
    @Option(names = "--serial", defaultValue = "0", description = "Manifest serial (default: highest in the store + 1).") long serial;
    @Option(names = "--valid-for", defaultValue = "P365D", description = "Manifest validity (default ${DEFAULT-VALUE}).") Duration validity;
    @Option(names = "--channel-valid-for", defaultValue = "P30D", description = "Channel pointer validity; re-sign with 'promote' before it ends (default ${DEFAULT-VALUE}).") Duration channelValidity;
    @Option(names = "--parallel", defaultValue = "4", description = "Parallel uploads (default ${DEFAULT-VALUE}).") int parallel;
    @Option(names = "--chunk-min", defaultValue = "1048576") int chunkMin;
    @Option(names = "--chunk-avg", defaultValue = "4194304") int chunkAvg;
    @Option(names = "--chunk-max", defaultValue = "16777216") int chunkMax;
    @Option(names = "--mqtt", description = "Broker URI to notify agents (tcp://host:1883).") String mqtt;

    @Override
    int execute() throws IOException {
        try (var s = StoreUris.open(store); var bar = ProgressBar.bytes(System.err, "publish " + model + " " + version, 0)) {
            var publisher = new Publisher(s, Ed25519.readPrivate(key), Clock.systemUTC(), parallel);
            var r = publisher.publish(new Publisher.Request(source, model, version, serial, channel, rollout, validity, channelValidity,
                    ChunkingParams.of(chunkMin, chunkAvg, chunkMax)), bar::update);
            bar.close();
            out().printf("published %s %s (serial %d): %d chunks, %d uploaded (%s)%s, channel %s serial %d at %d%%%n", model, version,
                    r.manifest().serial(), r.chunksTotal(), r.chunksUploaded(), ProgressBar.human(r.bytesUploaded()),
                    r.chunksReplaced() > 0 ? ", " + r.chunksReplaced() + " of them replacing damaged copies in the store" : "",
                    channel, r.pointer().serial(), r.pointer().rolloutPercent());
            if (mqtt != null) Notifier.notify(mqtt, r.pointer());
        }
        return 0;
    }
}
