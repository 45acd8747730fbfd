package ai.appliance.runtime.upstream;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;

/**
 * One upstream's circuit breaker (resilience4j): closed while it works; open after {@code failures} failures or
 * timeouts in a row, when requests are not sent (their local fallback answers, or they get 503); half-open after
 * {@code openFor}, when one probe is let through; closed again when that probe succeeds, open again when it fails.
 * <p>
 * The probe is the breaker's own {@code GET <url>/models} (started {@code openFor} after each opening), so no
 * client's request is the one that finds out whether the upstream is back; a request that arrives when the probe
 * is due may take the half-open slot instead, and its outcome then decides.
 */
final class UpstreamBreaker implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(UpstreamBreaker.class.getName());

    private final String name;
    private final CircuitBreaker breaker;
    private final Duration openFor;
    private final BooleanSupplier probe;
    private volatile boolean closed;

    /** @param probe asks the upstream whether it is up (true: it answered) */
    UpstreamBreaker(String name, int failures, Duration openFor, BooleanSupplier probe) {
        this.name = name;
        this.openFor = openFor;
        this.probe = probe;
        // A count window as long as the threshold with a 100 % failure rate: open after exactly `failures` in a row.
        var config = CircuitBreakerConfig.custom()
                .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
                .slidingWindowSize(failures)
                .minimumNumberOfCalls(failures)
                .failureRateThreshold(100)
                .waitDurationInOpenState(openFor)
                .permittedNumberOfCallsInHalfOpenState(1)
                // Half-open is entered by the probe below (or a request after openFor), not by a library thread.
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .writableStackTraceEnabled(false)
                .build();
        this.breaker = CircuitBreaker.of(name, config);
        breaker.getEventPublisher().onStateTransition(event -> {
            var transition = event.getStateTransition();
            LOG.info(() -> "upstream " + name + ": circuit " + label(transition.getFromState()) + " -> "
                    + label(transition.getToState()));
            if (transition.getToState() == CircuitBreaker.State.OPEN) {
                scheduleProbe();
            }
        });
    }

    /** Takes a permit to send one request; false while open (or while the half-open probe runs). */
    boolean tryAcquire() {
        return breaker.tryAcquirePermission();
    }

    void succeeded(long nanos) {
        breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }

    void failed(long nanos, Throwable cause) {
        breaker.onError(nanos, TimeUnit.NANOSECONDS, cause);
    }

    /** Gives a permit back unused (the client went away before the upstream showed whether it works). */
    void released() {
        breaker.releasePermission();
        if (breaker.getState() == CircuitBreaker.State.HALF_OPEN) {
            scheduleProbe();
        }
    }

    /** closed, open or half_open. */
    String state() {
        return label(breaker.getState());
    }

    private static String label(CircuitBreaker.State state) {
        return switch (state) {
            case OPEN, FORCED_OPEN -> "open";
            case HALF_OPEN -> "half_open";
            case CLOSED, DISABLED, METRICS_ONLY -> "closed";
        };
    }

    private void scheduleProbe() {
        if (closed) {
            return;
        }
        Thread.ofVirtual().name("upstream-probe-" + name).start(() -> {
            try {
                Thread.sleep(openFor);
            } catch (InterruptedException e) {
                return;
            }
            // Takes the half-open slot (moving open to half-open); when a request took it first, its outcome decides.
            if (closed || breaker.getState() == CircuitBreaker.State.CLOSED || !breaker.tryAcquirePermission()) {
                return;
            }
            long start = System.nanoTime();
            boolean up;
            try {
                up = probe.getAsBoolean();
            } catch (RuntimeException e) {
                up = false;
            }
            long took = System.nanoTime() - start;
            if (up) {
                succeeded(took);
            } else {
                failed(took, new IllegalStateException("probe of upstream " + name + " failed"));
            }
        });
    }

    @Override
    public void close() {
        closed = true;
    }
}
