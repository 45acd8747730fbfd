package ai.appliance.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ConnectException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    @Test
    void aFailureNoCommandReportedEndsWithOneLineNamingTheCommandAndTheCause() {
        var cli = Main.newCommandLine();
        var err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        var bench = cli.getSubcommands().get("bench");
        bench.setErr(new PrintWriter(err));

        int exit = Main.reportFailure(new ExecutionException(new ConnectException("Connection refused")), bench);
        assertEquals(1, exit);
        assertEquals("appliance bench: error: Connection refused", err.toString().strip());

        err.getBuffer().setLength(0);
        Main.reportFailure(new IllegalStateException(), bench);
        assertEquals("appliance bench: error: IllegalStateException", err.toString().strip());
    }

    @CommandLine.Command(name = "explode")
    static final class Explode implements java.util.concurrent.Callable<Integer> {
        @Override
        public Integer call() {
            throw new IllegalStateException("the disk is full");
        }
    }

    @Test
    void theCommandTreeHandsUnreportedFailuresToIt() {
        var err = new StringWriter();
        var failing = new CommandLine(new Explode());
        failing.setExecutionExceptionHandler(Main.newCommandLine().getExecutionExceptionHandler());
        failing.setErr(new PrintWriter(err));
        assertEquals(1, failing.execute());
        assertEquals("explode: error: the disk is full", err.toString().strip());
    }
}
