package ai.appliance.sync.cli;

import ai.appliance.sync.SyncException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Base of every sync command: a one-line error and a non-zero exit instead of a stack trace. */
abstract class SyncSubcommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public final Integer call() {
        try {
            return execute();
        } catch (SyncException e) {
            err().println("error: " + e.getMessage());
            return exitCode(e);
        } catch (IOException | java.io.UncheckedIOException e) {
            err().println("error: " + e.getMessage());
            return 1;
        }
    }

    abstract int execute() throws IOException;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Distinct codes let scripts tell "refused as unsafe" (3) from "try later" (2) from usage (64). */
    static int exitCode(SyncException e) {
        return switch (e) {
            case SyncException.StoreUnavailable s -> 2;
            case SyncException.SignatureRejected s -> 3;
            case SyncException.RollbackRejected s -> 3;
            case SyncException.MetadataExpired s -> 3;
            case SyncException.IntegrityFailure s -> 3;
            case SyncException.MalformedMetadata s -> 3;
            case SyncException.UsageError s -> 64;
            default -> 1;
        };
    }
}
