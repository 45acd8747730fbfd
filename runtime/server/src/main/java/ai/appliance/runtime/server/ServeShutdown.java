package ai.appliance.runtime.server;

import java.io.PrintWriter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * What {@code serve} does on SIGTERM/SIGINT. It is registered as the shutdown hook before the appliance
 * starts: the REST server answers while the broker and the MQTT gateway are still starting, and a signal
 * in that window used to end the JVM with requests in flight and the broker's session store open. Now
 * the hook waits for start-up to finish (or fail), then stops the appliance gracefully.
 *
 * <p>Messages go to stderr directly: the JDK resets java.util.logging in its own shutdown hook, so log
 * records from a shutdown hook may be lost, and an operator must still see that the appliance stopped cleanly.
 */
public final class ServeShutdown {

    private final PrintWriter err;
    private final CompletableFuture<AutoCloseable> started = new CompletableFuture<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;

    public ServeShutdown(PrintWriter err) {
        this.err = err;
    }

    /** Start-up finished: a signal from now on (or one that came during start-up) closes {@code appliance}. */
    public void started(AutoCloseable appliance) {
        started.complete(appliance);
    }

    /** Start-up failed: there is nothing to stop. */
    public void startFailed() {
        started.complete(null);
    }

    /** Whether a signal has arrived. */
    public boolean stopping() {
        return stopping;
    }

    /** The shutdown hook's body. */
    public void run() {
        stopping = true;
        try {
            if (!started.isDone()) {
                err.println("serve: stopping once start-up has finished");
                err.flush();
            }
            AutoCloseable appliance;
            try {
                appliance = started.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (ExecutionException e) {
                return;
            }
            if (appliance == null) {
                return;
            }
            long begun = System.nanoTime();
            err.println("serve: stopping: no new requests; finishing those in flight, then leaving MQTT");
            err.flush();
            try {
                appliance.close();
            } catch (Exception e) {
                err.println("serve: error while stopping: " + e.getMessage());
            }
            err.printf("serve: stopped in %.1f s%n", (System.nanoTime() - begun) / 1e9);
            err.flush();
        } finally {
            stopped.countDown();
        }
    }

    /** Blocks until the hook has run to its end. */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }
}
