package ai.appliance.runtime.serving;

import ai.appliance.runtime.scheduler.GenerationListener;
import ai.appliance.runtime.scheduler.Ticket;

/**
 * A model that another server answers (an upstream: an appliance in the data centre, vLLM, SGLang), as the one
 * serving path sees it. The {@code upstream} package implements it; this package only decides when to forward and
 * what to do when forwarding fails.
 */
public interface RemoteModel {

    /** The model entry's name: what clients ask for and what audit records and metrics call the upstream. */
    String name();

    /** The local model that answers when the upstream cannot, or null when there is none. */
    String fallback();

    /** How /v1/models lists it. */
    ModelInfo info();

    /**
     * Forwards {@code request} and returns at once. Output and the end go to {@code listener} from another thread;
     * trouble with the upstream (circuit open, unreachable, timeout, an error status, a stream cut short) arrives as
     * {@code listener.onFailed} with a {@link RemoteFailure}, never as an exception from this method.
     *
     * @param requestId     the caller's request id, sent on as {@code X-Request-Id} so both audit logs match
     * @param deadlineNanos {@link System#nanoTime()} by which the request must end
     */
    Ticket forward(InferenceRequest request, String requestId, long deadlineNanos, GenerationListener listener);

    /**
     * Waits up to {@code grace} for the requests forwarded so far to end (shutdown: new ones are refused by then).
     *
     * @return whether none is left
     */
    boolean drain(java.time.Duration grace) throws InterruptedException;
}
