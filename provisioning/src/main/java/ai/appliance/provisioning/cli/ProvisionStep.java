package ai.appliance.provisioning.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

/**
 * Base of every provisioning command: runs {@link #execute()} and turns any failure into one line on stderr
 * and exit status 1 (operators read the message; a stack trace helps nobody at 3 a.m.).
 */
abstract class ProvisionStep implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    protected abstract int execute() throws Exception;

    @Override
    public final Integer call() {
        try {
            return execute();
        } catch (UncheckedIOException e) {
            return fail(e.getMessage() + (e.getCause() != null ? ": " + describe(e.getCause()) : ""));
        } catch (Exception e) {
            return fail(describe(e));
        } finally {
            out().flush(); // picocli's writer flushes on println only: print() output must not be lost at exit
        }
    }

    static String describe(Throwable e) {
        return e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
    }

    private int fail(String message) {
        err().println("appliance " + spec.qualifiedName().replace("appliance ", "") + ": error: "
                + message.replace('\n', ' '));
        err().flush();
        return 1;
    }

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }

    protected PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
