package ai.appliance.runtime.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The transports' connect/retry loop without a broker: attempts are counted and waits recorded, not slept. */
class ReconnectLoopTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /** A broker that refuses the first {@code failures} attempts and accepts the one after. */
    private static final class Broker implements ReconnectLoop.Attempt {
        final int failures;
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicBoolean connected = new AtomicBoolean();
        final List<Long> timeouts = new CopyOnWriteArrayList<>();

        Broker(int failures) {
            this.failures = failures;
        }

        @Override
        public void connect(long timeoutMillis) throws IOException {
            timeouts.add(timeoutMillis);
            if (attempts.incrementAndGet() <= failures) {
                throw new IOException("connection refused");
            }
            connected.set(true);
        }
    }

    @Test
    void backoffDoublesFromOneSecondAndStopsGrowingAtThirty() {
        var delay = ReconnectLoop.FIRST_DELAY;
        var seen = new ArrayList<Long>();
        for (int i = 0; i < 8; i++) {
            seen.add(delay.toSeconds());
            delay = ReconnectLoop.nextDelay(delay, ReconnectLoop.MAX_DELAY);
        }
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L), seen);
        assertEquals(Duration.ofSeconds(10), ReconnectLoop.ATTEMPT_TIMEOUT);
    }

    @Test
    void aFirstAttemptThatConnectsStartsNoBackgroundAttempts() throws InterruptedException {
        var broker = new Broker(0);
        var waits = new CopyOnWriteArrayList<Duration>();
        var loop = new ReconnectLoop(broker, broker.connected::get, ReconnectLoop.FIRST_DELAY, ReconnectLoop.MAX_DELAY,
                waits::add);
        assertTrue(loop.start());
        assertTrue(loop.awaitStopped(WAIT));
        assertEquals(1, broker.attempts.get());
        assertEquals(List.of(), waits);
    }

    @Test
    void retriesInTheBackgroundWithGrowingWaitsUntilConnected() throws InterruptedException {
        var broker = new Broker(8);
        var waits = new CopyOnWriteArrayList<Duration>();
        var loop = new ReconnectLoop(broker, broker.connected::get, ReconnectLoop.FIRST_DELAY, ReconnectLoop.MAX_DELAY,
                waits::add);
        assertFalse(loop.start(), "the first attempt failed");
        assertTrue(loop.awaitStopped(WAIT), "the loop ends once connected");
        assertTrue(broker.connected.get());
        assertEquals(9, broker.attempts.get(), "8 refused, the 9th connects, none after");
        assertEquals(List.of(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L), waits.stream().map(Duration::toSeconds).toList());
        assertTrue(broker.timeouts.stream().allMatch(t -> t == 10_000L), "every attempt may take 10 s: " + broker.timeouts);
    }

    @Test
    void stopsWhenConnectedByOthersMeanwhile() throws InterruptedException {
        // Paho's automatic reconnect may connect the client between two attempts: the loop then makes no more.
        var broker = new Broker(Integer.MAX_VALUE);
        var loop = new ReconnectLoop(broker, broker.connected::get, ReconnectLoop.FIRST_DELAY, ReconnectLoop.MAX_DELAY,
                d -> {
                    if (broker.attempts.get() == 3) {
                        broker.connected.set(true);
                    }
                });
        assertFalse(loop.start());
        assertTrue(loop.awaitStopped(WAIT));
        assertEquals(3, broker.attempts.get());
    }

    @Test
    void closeEndsAWaitInProgressAtOnce() throws InterruptedException {
        var broker = new Broker(Integer.MAX_VALUE);
        var waiting = new CountDownLatch(1);
        var loop = new ReconnectLoop(broker, broker.connected::get, Duration.ofHours(1), Duration.ofHours(1), d -> {
            waiting.countDown();
            Thread.sleep(d);
        });
        assertFalse(loop.start());
        assertTrue(waiting.await(10, TimeUnit.SECONDS));
        long start = System.nanoTime();
        loop.close();
        assertTrue(loop.awaitStopped(WAIT), "the hour-long wait ended with close");
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
        assertEquals(1, broker.attempts.get(), "no attempt after close");
    }

    @Test
    void noAttemptAfterCloseEvenWhenTheWaitWasNotInterrupted() throws InterruptedException {
        var broker = new Broker(Integer.MAX_VALUE);
        var loop = new AtomicReference<ReconnectLoop>();
        loop.set(new ReconnectLoop(broker, broker.connected::get, ReconnectLoop.FIRST_DELAY, ReconnectLoop.MAX_DELAY,
                d -> {
                    if (broker.attempts.get() == 2) {
                        loop.get().close();
                        Thread.interrupted(); // as if close came just after the wait ended
                    }
                }));
        assertFalse(loop.get().start());
        assertTrue(loop.get().awaitStopped(WAIT));
        assertEquals(2, broker.attempts.get());
    }

    @Test
    void aSettingsErrorInTheFirstAttemptReachesTheCaller() {
        var wrong = new IllegalArgumentException("bad option");
        var loop = new ReconnectLoop(timeout -> {
            throw wrong;
        }, () -> false);
        assertSame(wrong, assertThrows(IllegalArgumentException.class, loop::start));
    }
}
