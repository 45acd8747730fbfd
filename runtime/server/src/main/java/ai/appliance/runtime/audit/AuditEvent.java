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
        long latencyMillis) {
}
