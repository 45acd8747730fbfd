package ai.appliance.runtime.cli;

import ai.appliance.sync.cli.SyncCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of {@code ./appliance}: every command of every module hangs under this one. */
@Command(name = "appliance", mixinStandardHelpOptions = true, version = "appliance 0.1.0",
        description = "Edge and hybrid LLM appliance runtime.",
        subcommands = {CommandLine.HelpCommand.class,
                TokenizeCommand.class,
                TemplateCommand.class,
                RunCommand.class, LogitsCommand.class, BenchCommand.class,
                QuantizeCommand.class, SynthCommand.class, InspectCommand.class,
                SyncCommand.class,
                ai.appliance.provisioning.cli.ProvisionCommand.class, ai.appliance.provisioning.cli.DoctorCommand.class,
                ServeCommand.class, ServeBenchCommand.class,
                ApiKeyCommand.class, WatermarkCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(newCommandLine().execute(args));
    }

    /** The command tree, wired explicitly so tests can run commands in-process. */
    public static CommandLine newCommandLine() {
        var cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((failure, command, parsed) -> reportFailure(failure, command));
        return cli;
    }

    /**
     * The safety net under every command: one line naming the command and the cause, exit code 1. Commands
     * report the failures they expect themselves; this catches the rest, so an operator never gets a stack
     * trace unless asking for one with APPLIANCE_DEBUG=1.
     */
    static int reportFailure(Exception failure, CommandLine command) {
        var err = command.getErr();
        Throwable cause = failure;
        while (cause.getCause() != null && (cause.getMessage() == null || cause instanceof java.util.concurrent.ExecutionException)) {
            cause = cause.getCause();
        }
        err.println(command.getCommandSpec().qualifiedName() + ": error: "
                + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()));
        if (System.getenv("APPLIANCE_DEBUG") != null) {
            failure.printStackTrace(err);
        }
        err.flush();
        return 1;
    }
}
