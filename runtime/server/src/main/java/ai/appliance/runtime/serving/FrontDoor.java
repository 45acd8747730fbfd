package ai.appliance.runtime.serving;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.audit.AuditEvent;
import ai.appliance.runtime.audit.AuditLog;
import ai.appliance.runtime.metrics.ServingMetrics;
import ai.appliance.runtime.scheduler.Outcome;
import ai.appliance.runtime.security.AccessControl;
import ai.appliance.runtime.security.Permission;
import ai.appliance.runtime.security.Principal;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * What every front end does around a request: authenticate, authorize, rate-limit, then count and audit
 * the result. Keeping it in one place makes REST, WebSocket, gRPC and MQTT behave the same.
 */
public final class FrontDoor {

    private final InferenceService inference;
    private final AccessControl access;
    private final AuditLog audit;
    private final ServingMetrics metrics;

    public FrontDoor(InferenceService inference, AccessControl access, AuditLog audit, ServingMetrics metrics) {
        this.inference = inference;
        this.access = access;
        this.audit = audit;
        this.metrics = metrics;
    }

    public InferenceService inference() {
        return inference;
    }

    public AccessControl access() {
        return access;
    }

    public ServingMetrics metrics() {
        return metrics;
    }

    /**
     * Authenticates and authorizes the caller; generation calls also spend a rate-limit token.
     *
     * @throws ApiException 401, 403 or 429
     */
    public Principal admit(String apiKey, Optional<X509Certificate> certificate, Permission permission) {
        return admit(access.authenticate(apiKey, certificate), permission);
    }

    /**
     * Admits a caller that was already authenticated (an MQTT device the embedded broker verified when it
     * connected): checks its role and, for generation, its rate limit.
     */
    public Principal admit(Principal principal, Permission permission) {
        access.authorize(principal, permission);
        if (permission == Permission.GENERATE) {
            access.rateLimit(principal);
        }
        return principal;
    }

    /**
     * Routes and starts a generation for an admitted caller ({@link InferenceService#submit}).
     *
     * @throws ApiException when it cannot be started
     */
    public ResponseStream submit(CallContext call, Principal principal, InferenceRequest request) {
        return inference.submit(request, principal, call.requestId());
    }

    /** Records a generation that ran (possibly cut short). */
    public void completed(CallContext call, Principal principal, InferenceRequest request, ResponseStream stream,
                          Outcome outcome, int responseChars) {
        int status = 200;
        metrics.request(call.frontEnd(), status);
        if (stream == null || !(stream.route() instanceof Route.Forwarded)) {
            // The histogram sizes local contexts; an upstream's prompts are its own business.
            metrics.promptLength(outcome.promptTokens());
        }
        write(call, principal, request, stream, outcome.promptTokens(), outcome.completionTokens(), responseChars,
                status, outcome.reason().auditName());
    }

    /** Records a call that failed or was refused, and any other non-generation call. */
    public void finished(CallContext call, Principal principal, InferenceRequest request, int status) {
        finished(call, principal, request, null, status);
    }

    /** Records a generation that failed after it was routed ({@code stream} says where it went; null if nowhere). */
    public void finished(CallContext call, Principal principal, InferenceRequest request, ResponseStream stream,
                         int status) {
        metrics.request(call.frontEnd(), status);
        write(call, principal, request, stream, 0, 0, 0, status, null);
    }

    private void write(CallContext call, Principal principal, InferenceRequest request, ResponseStream stream,
                       int promptTokens, int completionTokens, int responseChars, int status, String finish) {
        var route = stream == null ? null : stream.route();
        if (route instanceof Route.Fallback(var model, var upstream, var reason)) {
            metrics.upstreamFallback(upstream, reason.wireName());
        }
        String model = stream == null ? null : stream.model();
        AccessLog.write(call, principal == null ? null : principal.name(), model, route, status, finish);
        if (audit == null) {
            return;
        }
        String promptText = request == null ? null : request.promptText();
        boolean localOnly = stream != null ? stream.localOnly() : request != null && request.routing().localOnly();
        audit.write(new AuditEvent(call.startMillis(), call.requestId(), call.client(),
                principal == null ? null : principal.name(), principal == null ? null : principal.role().wireName(),
                call.frontEnd(), call.endpoint(), model,
                promptText == null ? null : audit.promptDigest(promptText),
                audit.includePrompts() ? promptText : null,
                promptTokens, completionTokens, responseChars, status, finish, call.elapsedMillis(),
                route == null ? null : route.kind(), route == null ? null : route.target(),
                route instanceof Route.Fallback f ? f.reason().wireName() : null, localOnly));
    }
}
