package ai.appliance.provisioning.cli;

import ai.appliance.provisioning.keys.ReleaseKeyring;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

@Command(name = "keys", mixinStandardHelpOptions = true,
        description = "Ed25519 release-signing keys of the model store and the signed root.json the sync agent trusts.",
        subcommands = {KeysCommand.Init.class, KeysCommand.Rotate.class, KeysCommand.RotateRoot.class,
                KeysCommand.Resign.class})
final class KeysCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    abstract static class KeysStep extends ProvisionStep {
        @Option(names = "--dir", required = true, description = "The keys folder (keep root.key* offline).")
        Path dir;

        @Option(names = "--valid-days", defaultValue = "365", description = "root.json expiry from now.")
        int validDays;

        ReleaseKeyring keyring() {
            return new ReleaseKeyring(dir, Clock.systemUTC());
        }

        int report(ReleaseKeyring.State state) {
            out().printf("root.json serial %d, expires %s, release keys %s (%s)%n", state.serial(), state.expires(),
                    state.releaseKeys(), dir.resolve("root.json"));
            return 0;
        }

        Duration validity() {
            return Duration.ofDays(validDays);
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Make the root key and a first release key.")
    static final class Init extends KeysStep {
        @Override
        protected int execute() {
            return report(keyring().init(validity()));
        }
    }

    @Command(name = "rotate", mixinStandardHelpOptions = true, description = "Replace the release key.")
    static final class Rotate extends KeysStep {
        @Option(names = "--keep-previous", description = "Keep the previous release key listed (overlap window).")
        boolean keepPrevious;

        @Override
        protected int execute() {
            return report(keyring().rotateRelease(keepPrevious, validity()));
        }
    }

    @Command(name = "rotate-root", mixinStandardHelpOptions = true,
            description = "Replace the root key; root.json is signed by old and new root. Re-pin root.pub on devices.")
    static final class RotateRoot extends KeysStep {
        @Override
        protected int execute() {
            return report(keyring().rotateRoot(validity()));
        }
    }

    @Command(name = "resign", mixinStandardHelpOptions = true, description = "Re-sign root.json with a new expiry.")
    static final class Resign extends KeysStep {
        @Override
        protected int execute() {
            return report(keyring().resign(validity()));
        }
    }
}
