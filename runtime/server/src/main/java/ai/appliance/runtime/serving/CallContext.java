package ai.appliance.runtime.serving;

/**
 * Where a call came from, for the audit log and metrics.
 *
 * @param frontEnd rest, websocket, grpc or mqtt
 * @param endpoint HTTP path, gRPC method or MQTT topic
 * @param client   ip:port (or MQTT client id)
 */
public record CallContext(String frontEnd, String endpoint, String client, long startMillis, long startNanos) {

    public static CallContext start(String frontEnd, String endpoint, String client) {
        return new CallContext(frontEnd, endpoint, client, System.currentTimeMillis(), System.nanoTime());
    }

    public long elapsedMillis() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
