package ai.appliance.runtime.audit;

/**
 * One audited request.
 *
 * @param timestampMillis  when the request arrived (epoch ms)
 * @param requestId        the request's id, also in its access log line and its response ({@code X-Request-Id})
 * @param client           ip:port of the caller (or MQTT client id)
 * @param frontEnd         rest, websocket, grpc or mqtt
 * @param endpoint         HTTP path, gRPC method or MQTT topic
 * @param promptHmac       HMAC-SHA256 hex of the prompt text with the appliance's audit key
 *                         ({@link PromptDigest}), or null when there was none
 * @param prompt           the prompt itself, only when the audit configuration asks for it
 * @param responseChars    characters of generated text returned
 * @param status           HTTP-style status (200, 400, 429...)
 * @param route            where it was answered: local, upstream, or fallback (a local model answering for an
 *                         upstream); null when it was refused before it was routed
 * @param target           the local model's or the upstream's name
 * @param fallbackReason   for a fallback, why: local_only, circuit_open, upstream_failed, upstream_busy
 * @param localOnly        the request had to stay on this appliance (its own flag, or its key's or role's setting)
 */
public record AuditEvent(
        long timestampMillis,
        String requestId,
        String client,
        String principal,
        String role,
        String frontEnd,
        String endpoint,
        String model,
        String promptHmac,
        String prompt,
        int promptTokens,
        int completionTokens,
        int responseChars,
        int status,
        String finishReason,
        long latencyMillis,
        String route,
        String target,
        String fallbackReason,
        boolean localOnly) {

    /** A record without routing details. */
    public AuditEvent(long timestampMillis, String requestId, String client, String principal, String role,
                      String frontEnd, String endpoint, String model, String promptHmac, String prompt,
                      int promptTokens, int completionTokens, int responseChars, int status, String finishReason,
                      long latencyMillis) {
        this(timestampMillis, requestId, client, principal, role, frontEnd, endpoint, model, promptHmac, prompt,
                promptTokens, completionTokens, responseChars, status, finishReason, latencyMillis, null, null, null,
                false);
    }
}
