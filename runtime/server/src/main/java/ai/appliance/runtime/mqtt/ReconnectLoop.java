package ai.appliance.runtime.mqtt;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * How both transports get their first broker connection: one attempt in the caller's thread (start-up waits for
 * it), then, if that failed, attempts in a background thread with exponential backoff (1 s doubling up to 30 s,
 * no jitter) until one succeeds or the transport closes. Paho's own automatic reconnect only takes over once a
 * connection has succeeded, so a broker that is down when the appliance starts needs this loop.
 */
final class ReconnectLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(ReconnectLoop.class.getName());

    /** How long one attempt may take; the transports give Paho the same connection timeout. */
    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    /** Wait before the first background attempt; it doubles after every failed one. */
    static final Duration FIRST_DELAY = Duration.ofSeconds(1);
    /** The longest wait between two attempts. */
    static final Duration MAX_DELAY = Duration.ofSeconds(30);

    /** One connection attempt that returns once connected and throws when it failed or took {@code timeoutMillis}. */
    @FunctionalInterface
    interface Attempt {
        void connect(long timeoutMillis) throws Exception;
    }

    /** How the loop waits between attempts (tests wait in no time). */
    @FunctionalInterface
    interface Sleeper {
        void sleep(Duration duration) throws InterruptedException;
    }

    private final Attempt attempt;
    private final BooleanSupplier connected;
    private final Duration firstDelay;
    private final Duration maxDelay;
    private final Sleeper sleeper;
    private volatile boolean closed;
    private volatile Thread retrying;

    /**
     * @param connected whether the client is connected: the loop stops once it is, whoever connected it
     */
    ReconnectLoop(Attempt attempt, BooleanSupplier connected) {
        this(attempt, connected, FIRST_DELAY, MAX_DELAY, Thread::sleep);
    }

    ReconnectLoop(Attempt attempt, BooleanSupplier connected, Duration firstDelay, Duration maxDelay,
                  Sleeper sleeper) {
        this.attempt = attempt;
        this.connected = connected;
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
        this.sleeper = sleeper;
    }

    /**
     * Makes the first attempt in this thread.
     *
     * @return true when connected; false when it failed and attempts go on in the background
     * @throws RuntimeException from the attempt: a programming or settings error that retrying cannot mend
     */
    boolean start() {
        try {
            attempt.connect(ATTEMPT_TIMEOUT.toMillis());
            return true;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            LOG.warning("MQTT broker not reachable yet (" + e.getMessage() + "); retrying in the background");
            retrying = Thread.ofVirtual().name("mqtt-connect").start(this::retry);
            return false;
        }
    }

    /** The wait after {@code delay} when the attempt after it failed too: twice as long, at most {@code max}. */
    static Duration nextDelay(Duration delay, Duration max) {
        var doubled = delay.multipliedBy(2);
        return doubled.compareTo(max) > 0 ? max : doubled;
    }

    private void retry() {
        var delay = firstDelay;
        int failed = 1;
        while (!closed && !connected.getAsBoolean()) {
            try {
                sleeper.sleep(delay);
                if (closed || connected.getAsBoolean()) {
                    return; // closed, or connected meanwhile: Paho refuses a second connect
                }
                attempt.connect(ATTEMPT_TIMEOUT.toMillis());
                LOG.info("MQTT broker reachable after " + failed + " failed attempt(s)");
            } catch (InterruptedException e) {
                return; // closed while waiting
            } catch (RuntimeException e) {
                LOG.log(Level.SEVERE, "MQTT connection attempts stopped: " + e.getMessage(), e);
                return;
            } catch (Exception e) {
                failed++;
                delay = nextDelay(delay, maxDelay);
                var wait = delay;
                LOG.fine(() -> "MQTT connection attempt failed (" + e.getMessage() + "); next in " + wait.toMillis()
                        + " ms");
            }
        }
    }

    /** Ends the background attempts: a wait in progress ends now, an attempt in progress is the last one. */
    @Override
    public void close() {
        closed = true;
        var thread = retrying;
        if (thread != null) {
            thread.interrupt();
        }
    }

    /** For tests: waits until background attempts have ended (at once if none were needed). */
    boolean awaitStopped(Duration timeout) throws InterruptedException {
        var thread = retrying;
        return thread == null || thread.join(timeout);
    }
}
