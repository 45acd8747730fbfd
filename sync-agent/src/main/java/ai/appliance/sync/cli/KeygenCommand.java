package ai.appliance.sync.cli;

import ai.appliance.sync.trust.Ed25519;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;

@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Create an Ed25519 key pair: NAME.key (private, mode 600) and NAME.pub.")
final class KeygenCommand extends SyncSubcommand {
    @Option(names = "--out", required = true, description = "Path prefix of the key files.")
    Path out;

    @Override
    int execute() throws IOException {
        var priv = Path.of(out + ".key");
        var pub = Path.of(out + ".pub");
        if (Files.exists(priv)) throw new ai.appliance.sync.SyncException.UsageError(priv + " exists; refusing to overwrite a key");
        if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
        var pair = Ed25519.generate(new SecureRandom());
        Ed25519.writeKeyPair(pair, priv, pub);
        out().println("wrote " + priv + " and " + pub + " (key id " + pair.publicKey().keyId() + ")");
        return 0;
    }
}
