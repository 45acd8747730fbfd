package ai.appliance.runtime.api;

/**
 * A request failed in a way the client should hear about, with an HTTP status and OpenAI error type; every
 * front end (REST, WebSocket, gRPC, MQTT) maps it to its own error shape.
 *
 * @see ErrorKind
 */
public final class ApiException extends RuntimeException {

    private final ErrorKind kind;
    private final String param;
    private final int retryAfterSeconds;

    public ApiException(ErrorKind kind, String message) {
        this(kind, message, null, 0);
    }

    public ApiException(ErrorKind kind, String message, String param, int retryAfterSeconds) {
        super(message);
        this.kind = kind;
        this.param = param;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ApiException invalid(String param, String message) {
        return new ApiException(ErrorKind.INVALID_REQUEST, message, param, 0);
    }

    public ErrorKind kind() {
        return kind;
    }

    /** The request field at fault, or null. */
    public String param() {
        return param;
    }

    /** Seconds a client should wait before retrying (429/503), or 0. */
    public int retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
