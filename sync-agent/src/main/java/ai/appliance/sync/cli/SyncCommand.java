package ai.appliance.sync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./appliance sync ...}: verified, incremental model sync (docs/formats.md "Model store and sync"). */
@Command(name = "sync", mixinStandardHelpOptions = true,
        description = "Verified, incremental model sync from S3-compatible stores, folders and air-gap bundles.",
        subcommands = {KeygenCommand.class, SignRootCommand.class, PublishCommand.class, PromoteCommand.class, RunCommand.class,
                StatusCommand.class, VerifyCommand.class, VerifyStoreCommand.class, RollbackCommand.class, GcCommand.class, ReplicateCommand.class,
                ExportCommand.class, ImportCommand.class, ImportHfCommand.class, FleetCommand.class})
public final class SyncCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Standalone entry point (tests and child processes); the appliance CLI mounts this under {@code sync}. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new SyncCommand()).execute(args));
    }
}
