package ai.appliance.sync.cli;

import ai.appliance.common.ProgressBar;
import ai.appliance.sync.chunk.ChunkingParams;
import ai.appliance.sync.hf.HuggingFaceSource;
import ai.appliance.sync.publish.Publisher;
import ai.appliance.sync.store.StoreUris;
import ai.appliance.sync.trust.Ed25519;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

@Command(name = "import-hf", mixinStandardHelpOptions = true,
        description = "Download a Hugging Face repo (hf:owner/repo[@rev]), verify every file against the hub's SHA-256/LFS ids, and publish it.")
final class ImportHfCommand extends SyncSubcommand {
    @Parameters(index = "0", description = "hf:owner/repo[@revision][?endpoint=URL]") String source;
    @Parameters(index = "1", description = "Store URI to publish into.") String store;
    @Option(names = "--model", required = true) String model;
    @Option(names = "--version", required = true) String version;
    @Option(names = "--key", required = true, description = "Release private key file.") Path key;
    @Option(names = "--channel", defaultValue = "stable") String channel;
    @Option(names = "--rollout", defaultValue = "100") int rollout;
    @Option(names = "--work-dir", description = "Download folder (default: a temp folder, removed afterwards).") Path workDir;

    @Override
    int execute() throws IOException {
        var hf = HuggingFaceSource.parse(source, System.getenv("HF_TOKEN"));
        var dir = workDir != null ? workDir : Files.createTempDirectory("hf-import");
        try (var bar = ProgressBar.bytes(System.err, "download", 0)) {
            var files = hf.download(dir, bar::update);
            bar.close();
            out().println("downloaded and verified " + files.size() + " files from " + source);
        }
        try (var s = StoreUris.open(store); var bar = ProgressBar.bytes(System.err, "publish", 0)) {
            var r = new Publisher(s, Ed25519.readPrivate(key), Clock.systemUTC(), 4).publish(new Publisher.Request(dir, model, version, 0, channel,
                    rollout, Duration.ofDays(365), Duration.ofDays(30), ChunkingParams.DEFAULT), bar::update);
            bar.close();
            out().printf("published %s %s: %d chunks, %d uploaded%n", model, version, r.chunksTotal(), r.chunksUploaded());
        } finally {
            if (workDir == null) deleteTree(dir);
        }
        return 0;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var s = Files.walk(dir)) {
            for (var p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
