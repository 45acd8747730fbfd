package ai.appliance.runtime.cli;

import ai.appliance.common.OutputFile;
import ai.appliance.common.SecretKeyFile;
import ai.appliance.runtime.watermark.WatermarkKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code appliance watermark keygen}: a new random watermark key in an owner-only file; the key is never printed. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = {"Write a new random watermark key (64 hex digits, permissions 0600).",
                "Copy the file to every appliance of a fleet and point watermark.key-file at it to mark all their output"
                        + " with one key; without it each appliance makes its own on first start."})
public final class WatermarkKeygenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the key.")
    Path out;

    @Option(names = "--force", description = "Replace an existing key (text marked with it is then no longer detected"
            + " with the new one).")
    boolean force;

    @Override
    public Integer call() {
        try {
            OutputFile.requireReplaceable(out, force);
            if (force) {
                Files.deleteIfExists(out);
            }
            SecretKeyFile.create(out);
            var key = WatermarkKey.read(out);
            var stdout = spec.commandLine().getOut();
            stdout.println("wrote watermark key " + key.id() + " to " + out + " (readable by its owner only)");
            stdout.flush();
            return 0;
        } catch (Exception e) {
            return CommandFailure.report(spec, e);
        }
    }
}
