package ai.appliance.runtime.api;

/** The closed set of failures a client can see, with their HTTP status, OpenAI type and code. */
public enum ErrorKind {
    INVALID_REQUEST(400, "invalid_request_error", "invalid_request"),
    CONTEXT_LENGTH_EXCEEDED(400, "invalid_request_error", "context_length_exceeded"),
    UNAUTHENTICATED(401, "authentication_error", "invalid_api_key"),
    FORBIDDEN(403, "permission_error", "insufficient_permissions"),
    NOT_FOUND(404, "invalid_request_error", "not_found"),
    REQUEST_TIMEOUT(408, "invalid_request_error", "request_timeout"),
    MODEL_NOT_FOUND(404, "invalid_request_error", "model_not_found"),
    PAYLOAD_TOO_LARGE(413, "invalid_request_error", "payload_too_large"),
    RATE_LIMITED(429, "rate_limit_error", "rate_limit_exceeded"),
    QUEUE_FULL(429, "rate_limit_error", "server_busy"),
    INTERNAL(500, "server_error", "internal_error"),
    /** An upstream server this appliance forwarded to failed (unreachable, refused its credentials, broke off). */
    UPSTREAM_ERROR(502, "server_error", "upstream_error"),
    UNAVAILABLE(503, "server_error", "unavailable"),
    TIMEOUT(504, "server_error", "timeout");

    private final int status;
    private final String type;
    private final String code;

    ErrorKind(int status, String type, String code) {
        this.status = status;
        this.type = type;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    public String code() {
        return code;
    }
}
