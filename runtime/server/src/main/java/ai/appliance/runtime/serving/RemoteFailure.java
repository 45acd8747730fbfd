package ai.appliance.runtime.serving;

import ai.appliance.runtime.api.ApiException;

/**
 * Why a remote model did not answer: what the client is told, and whether a local model may answer instead.
 * A local fallback is offered only for failures of the upstream itself (unreachable, timed out, circuit open, busy),
 * never for a request the upstream refused as invalid: the fallback would refuse it too, or answer a request its
 * caller must fix.
 */
public final class RemoteFailure extends RuntimeException {

    private final ApiException clientError;
    private final Route.FallbackReason fallbackReason;

    /**
     * @param clientError    what the client sees when no local model answers instead
     * @param fallbackReason why a local model may answer instead; null when it must not
     */
    public RemoteFailure(ApiException clientError, Route.FallbackReason fallbackReason) {
        super(clientError.getMessage(), null, false, false);
        this.clientError = clientError;
        this.fallbackReason = fallbackReason;
    }

    public ApiException clientError() {
        return clientError;
    }

    /** Why a local model may answer instead, or null when it must not. */
    public Route.FallbackReason fallbackReason() {
        return fallbackReason;
    }
}
