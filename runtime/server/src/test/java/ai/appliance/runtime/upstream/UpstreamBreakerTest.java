package ai.appliance.runtime.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The circuit's states: opened by failures in a row, probed half-open, closed by a good probe. */
class UpstreamBreakerTest {

    /** Waits (generously, for a busy machine) until the breaker reaches {@code state}. */
    private static void awaitState(UpstreamBreaker breaker, String state) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!breaker.state().equals(state)) {
            assertTrue(System.nanoTime() < deadline, "still " + breaker.state() + ", waiting for " + state);
            Thread.sleep(10);
        }
    }

    private static void fail(UpstreamBreaker breaker) {
        assertTrue(breaker.tryAcquire());
        breaker.failed(1, new IllegalStateException("down"));
    }

    @Test
    void opensAfterTheConfiguredFailuresInARowAndNotBefore() {
        try (var breaker = new UpstreamBreaker("t", 3, Duration.ofHours(1), () -> true)) {
            fail(breaker);
            fail(breaker);
            assertTrue(breaker.tryAcquire());
            breaker.succeeded(1);
            fail(breaker);
            fail(breaker);
            assertEquals("closed", breaker.state(), "a success in between: not three in a row");
            fail(breaker);
            assertEquals("open", breaker.state());
            assertFalse(breaker.tryAcquire(), "nothing is sent while open");
        }
    }

    @Test
    void aHalfOpenProbeClosesTheCircuitWhenTheUpstreamIsBackAndReopensItWhenNot() throws Exception {
        var up = new AtomicBoolean(false);
        var probes = new AtomicInteger();
        try (var breaker = new UpstreamBreaker("t", 1, Duration.ofMillis(100), () -> {
            probes.incrementAndGet();
            return up.get();
        })) {
            fail(breaker);
            assertEquals("open", breaker.state());
            // Failing probes keep it open; each opening schedules the next one.
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (probes.get() < 2) {
                assertTrue(System.nanoTime() < deadline, "no probes");
                Thread.sleep(10);
            }
            up.set(true);
            awaitState(breaker, "closed");
            assertTrue(breaker.tryAcquire());
        }
    }

    @Test
    void aPermitGivenBackUnusedInHalfOpenLetsTheProbeRunAgain() throws Exception {
        var up = new AtomicBoolean(false);
        try (var breaker = new UpstreamBreaker("t", 1, Duration.ofMillis(100), up::get)) {
            fail(breaker);
            // Take the half-open slot as a request would, then give it back (its client went away).
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!breaker.tryAcquire()) {
                assertTrue(System.nanoTime() < deadline, "never half-open");
                Thread.sleep(5);
            }
            up.set(true);
            breaker.released();
            awaitState(breaker, "closed");
        }
    }
}
