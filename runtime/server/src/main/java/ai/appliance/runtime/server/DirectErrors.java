package ai.appliance.runtime.server;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.openai.OpenAiResponses;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Errors that Helidon answers before routing, in OpenAI's error shape like every other error: a body
 * whose Content-Length is over {@code server.max-payload-bytes}, a request line or header that is not
 * HTTP. By default these go out with an empty or plain-text body, which OpenAI clients report without
 * a message. Messages reach the client only when written for it.
 */
final class DirectErrors implements DirectHandler {

    private final OpenAiResponses responses;
    private final ObjectMapper json;
    private final long maxPayloadBytes;

    private DirectErrors(OpenAiResponses responses, ObjectMapper json, long maxPayloadBytes) {
        this.responses = responses;
        this.json = json;
        this.maxPayloadBytes = maxPayloadBytes;
    }

    /** This handler for every event type Helidon handles directly. */
    static DirectHandlers all(OpenAiResponses responses, ObjectMapper json, long maxPayloadBytes) {
        var handler = new DirectErrors(responses, json, maxPayloadBytes);
        var builder = DirectHandlers.builder();
        for (var type : EventType.values()) {
            builder.addHandler(type, handler);
        }
        return builder.build();
    }

    /**
     * {@code message} is what Helidon lets through to clients: only the messages of exceptions marked safe
     * ({@link RequestFraming}'s, Helidon's own about malformed requests), the listener being set to include them
     * ({@code ErrorHandling.includeEntity}); internal ones ("arraycopy: length -5 is negative") arrive as null.
     */
    @Override
    public TransportResponse handle(TransportRequest request, EventType type, Status status,
                                    ServerResponseHeaders headers, String message) {
        return respond(status, headers, message == null || message.isBlank() ? null : message, type.keepAlive());
    }

    private TransportResponse respond(Status status, ServerResponseHeaders headers, String message, boolean keepAlive) {
        // By status: Helidon reports an oversized body as a BAD_REQUEST event with status 413.
        int code = status.code();
        ApiException error;
        if (code == 413) {
            error = new ApiException(ErrorKind.PAYLOAD_TOO_LARGE, "the request body is larger than " + maxPayloadBytes
                    + " bytes (server.max-payload-bytes)");
        } else if (code == 403) {
            error = new ApiException(ErrorKind.FORBIDDEN, message == null ? "forbidden" : message);
        } else if (code == 408) {
            error = new ApiException(ErrorKind.REQUEST_TIMEOUT, "the request did not arrive in time");
        } else if (code == 505) {
            error = ApiException.invalid(null, "use HTTP/1.1 or HTTP/2");
        } else if (code >= 400 && code < 500) {
            error = ApiException.invalid(null, "the request is not valid HTTP" + (message == null ? "" : ": " + message));
        } else {
            // Internal details stay in the server log.
            error = new ApiException(ErrorKind.INTERNAL, "the server could not handle the request");
        }
        byte[] body;
        try {
            body = json.writeValueAsBytes(responses.error(error));
        } catch (JsonProcessingException e) {
            body = new byte[0];
        }
        return TransportResponse.builder()
                .status(status)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json")
                .keepAlive(keepAlive)
                .entity(body)
                .build();
    }
}
