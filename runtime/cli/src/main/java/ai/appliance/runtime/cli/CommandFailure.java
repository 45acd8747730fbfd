package ai.appliance.runtime.cli;

import picocli.CommandLine.Model.CommandSpec;

/** Reports a failed command as one line on stderr (no stack trace) and gives its exit status. */
final class CommandFailure {
    private CommandFailure() {
    }

    static int report(CommandSpec spec, Exception e) {
        var message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        var err = spec.commandLine().getErr();
        err.println("appliance " + spec.name() + ": " + message.replace('\n', ' '));
        err.flush();
        return 1;
    }
}
