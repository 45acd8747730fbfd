package ai.appliance.runtime.serving;

/**
 * Where a call came from, for the audit log, the access log and metrics.
 *
 * @param frontEnd  rest, websocket, grpc or mqtt
 * @param endpoint  HTTP path, gRPC method or MQTT topic
 * @param client    ip:port (or MQTT client id)
 * @param requestId the caller's id when it sent a usable one, else a generated one ({@link RequestIds})
 */
public record CallContext(String frontEnd, String endpoint, String client, String requestId, long startMillis,
                          long startNanos) {

    public static CallContext start(String frontEnd, String endpoint, String client, String incomingRequestId) {
        return new CallContext(frontEnd, endpoint, client, RequestIds.acceptOrGenerate(incomingRequestId),
                System.currentTimeMillis(), System.nanoTime());
    }

    /** The same call under the id the caller turned out to send (MQTT reads it from the message body). */
    public CallContext withRequestId(String incomingRequestId) {
        return new CallContext(frontEnd, endpoint, client, RequestIds.acceptOrGenerate(incomingRequestId), startMillis,
                startNanos);
    }

    public long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
