package ai.appliance.runtime.upstream;

import ai.appliance.runtime.metrics.UpstreamMetrics;
import ai.appliance.runtime.serving.RemoteFailure;

/**
 * One forwarded request failed: what the serving path is told ({@link RemoteFailure}: the client's error and
 * whether a local fallback may answer), how metrics count it, and whether it counts against the upstream in its
 * circuit breaker (an upstream that answers "your request is invalid" or "busy" is up).
 */
final class UpstreamFault extends Exception {

    private final RemoteFailure failure;
    private final UpstreamMetrics.Outcome outcome;
    private final boolean upstreamDown;

    UpstreamFault(RemoteFailure failure, UpstreamMetrics.Outcome outcome, boolean upstreamDown) {
        super(failure.getMessage(), null, false, false);
        this.failure = failure;
        this.outcome = outcome;
        this.upstreamDown = upstreamDown;
    }

    RemoteFailure failure() {
        return failure;
    }

    UpstreamMetrics.Outcome outcome() {
        return outcome;
    }

    /** Counts as a failure of the upstream in its circuit breaker. */
    boolean upstreamDown() {
        return upstreamDown;
    }
}
