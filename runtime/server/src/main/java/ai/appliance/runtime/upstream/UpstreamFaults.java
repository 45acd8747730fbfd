package ai.appliance.runtime.upstream;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.metrics.UpstreamMetrics.Outcome;
import ai.appliance.runtime.serving.RemoteFailure;
import ai.appliance.runtime.serving.Route.FallbackReason;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Maps what went wrong with one upstream to the appliance's own errors (docs/api.md): a client never sees the
 * upstream's raw status page or a Java exception, and the message says which upstream and what to check. The
 * upstream's own message is passed on only where it speaks about the client's request (400 and the like).
 */
final class UpstreamFaults {

    /** Longest upstream message passed on; a proxy's HTML error page would otherwise end up in a client's error. */
    private static final int MAX_MESSAGE = 300;

    private final UpstreamSettings settings;
    private final ObjectMapper json;

    UpstreamFaults(UpstreamSettings settings, ObjectMapper json) {
        this.settings = settings;
        this.json = json;
    }

    private String upstream() {
        return "the upstream '" + settings.name() + "'";
    }

    /** The circuit is open: nothing was sent. */
    UpstreamFault circuitOpen() {
        int retry = (int) Math.max(1, settings.breakerOpenFor().toSeconds());
        return fault(new ApiException(ErrorKind.UNAVAILABLE, upstream() + " is unavailable: it failed "
                        + settings.breakerFailures() + " time(s) in a row and is probed again every "
                        + settings.breakerOpenFor().toSeconds() + " s; retry later, or ask for a local model",
                        null, retry),
                FallbackReason.CIRCUIT_OPEN, Outcome.SHORT_CIRCUITED, false);
    }

    /** The exchange failed without an HTTP answer, or its connection broke. */
    UpstreamFault broken(Throwable error, boolean outputStarted) {
        var cause = rootCause(error);
        if (cause instanceof HttpConnectTimeoutException) {
            return down(upstream() + " at " + settings.url() + " did not accept a connection within connect-timeout "
                    + settings.connectTimeout(), Outcome.TIMEOUT);
        }
        if (cause instanceof HttpTimeoutException) {
            return firstToken();
        }
        if (cause instanceof ConnectException || cause instanceof UnresolvedAddressException) {
            var why = cause instanceof UnresolvedAddressException ? "unknown host"
                    : cause.getMessage() == null || cause.getMessage().isBlank() ? "connection refused"
                    : describe(cause);
            return down("cannot connect to " + upstream() + " at " + settings.url() + " (" + why
                    + "); is it running and reachable?", Outcome.FAILED);
        }
        if (cause instanceof SSLException) {
            return down("TLS with " + upstream() + " at " + settings.url() + " failed (" + describe(cause)
                    + "); check its tls settings (trust bundle, client certificate, host name)", Outcome.FAILED);
        }
        return down(outputStarted
                ? upstream() + " broke off the answer: the connection was lost (" + describe(cause) + ")"
                : "the connection to " + upstream() + " was lost before it answered (" + describe(cause) + ")",
                Outcome.FAILED);
    }

    UpstreamFault firstToken() {
        return fault(new ApiException(ErrorKind.TIMEOUT, upstream() + " sent no output within first-token-timeout ("
                + settings.firstTokenTimeout() + ")"), FallbackReason.UPSTREAM_FAILED, Outcome.TIMEOUT, true);
    }

    UpstreamFault idle() {
        return fault(new ApiException(ErrorKind.TIMEOUT, upstream() + " stopped sending in the middle of the answer"
                + " (silent for idle-timeout, " + settings.idleTimeout() + ")"), FallbackReason.UPSTREAM_FAILED,
                Outcome.TIMEOUT, true);
    }

    UpstreamFault cutShort() {
        return down(upstream() + " closed the stream before the answer ended", Outcome.FAILED);
    }

    UpstreamFault streamError(String message) {
        return down(upstream() + " ended the answer with an error: " + clip(message), Outcome.FAILED);
    }

    UpstreamFault notAStream(String contentType) {
        return down(upstream() + " answered with " + contentType + " instead of an event stream; is "
                + settings.url() + " an OpenAI-compatible /v1 base URL?", Outcome.FAILED);
    }

    /**
     * An HTTP status other than 200.
     *
     * @param body       the upstream's error body (JSON in OpenAI's, vLLM's or FastAPI's shape, or anything)
     * @param retryAfter its Retry-After in seconds, or 0
     */
    UpstreamFault status(int status, String body, int retryAfter) {
        var error = errorObject(body);
        var message = clip(error.message());
        return switch (status) {
            case 401, 403 -> down(upstream() + " refused this appliance's credentials (HTTP " + status + ": " + message
                    + "); check its api-key-env or api-key-file and client certificate", Outcome.FAILED);
            case 404 -> down(upstream() + " does not know the model '" + settings.model() + "' or the URL "
                    + settings.url() + " (HTTP 404: " + message + "); check models '" + settings.name()
                    + "' upstream url and model", Outcome.FAILED);
            case 408 -> down(upstream() + " timed out reading the request (HTTP 408)", Outcome.TIMEOUT);
            case 429 -> fault(new ApiException(ErrorKind.QUEUE_FULL, upstream() + " is busy (HTTP 429: " + message
                    + "); retry shortly", null, Math.max(1, retryAfter)), FallbackReason.UPSTREAM_BUSY,
                    Outcome.BUSY, false);
            default -> {
                if (status >= 400 && status < 500) {
                    // The upstream read the request and refused it: the client has to change it, and a local
                    // model must not answer in its place.
                    var kind = "context_length_exceeded".equals(error.code())
                            ? ErrorKind.CONTEXT_LENGTH_EXCEEDED : ErrorKind.INVALID_REQUEST;
                    yield fault(new ApiException(kind, upstream() + " refused the request: " + message, error.param(),
                            0), null, Outcome.CLIENT_ERROR, false);
                }
                yield down(upstream() + " failed (HTTP " + status + ": " + message + ")", Outcome.FAILED);
            }
        };
    }

    private UpstreamFault down(String message, Outcome outcome) {
        return fault(new ApiException(ErrorKind.UPSTREAM_ERROR, message), FallbackReason.UPSTREAM_FAILED, outcome,
                true);
    }

    private static UpstreamFault fault(ApiException error, FallbackReason fallback, Outcome outcome, boolean down) {
        return new UpstreamFault(new RemoteFailure(error, fallback), outcome, down);
    }

    private record ErrorObject(String message, String param, String code) { }

    /** OpenAI and the appliance: {"error":{message,param,code}}; vLLM: {"message",...}; FastAPI: {"detail"}. */
    private ErrorObject errorObject(String body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException | RuntimeException notJson) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            return new ErrorObject(body.isBlank() ? "no message" : body.strip(), null, null);
        }
        var error = root.path("error").isObject() ? root.get("error") : root;
        var message = error.path("message").asText(error.path("detail").asText(""));
        var param = error.path("param").isTextual() ? error.get("param").asText() : null;
        var code = error.path("code").isTextual() ? error.get("code").asText() : null;
        return new ErrorObject(message.isBlank() ? "no message" : message, param, code);
    }

    private static String clip(String message) {
        var oneLine = message.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= MAX_MESSAGE ? oneLine : oneLine.substring(0, MAX_MESSAGE) + "…";
    }

    /** The first cause of a kind this class explains, else the innermost one. */
    private static Throwable rootCause(Throwable error) {
        var cause = error;
        while (true) {
            if (cause instanceof HttpTimeoutException || cause instanceof SSLException
                    || cause instanceof ConnectException || cause instanceof UnresolvedAddressException
                    || cause.getCause() == null || cause.getCause() == cause) {
                return cause;
            }
            cause = cause.getCause();
        }
    }

    private static String describe(Throwable cause) {
        var message = cause.getMessage();
        var name = cause.getClass().getSimpleName().replaceAll("(Exception|Error)$", "");
        var words = name.replaceAll("([a-z])([A-Z])", "$1 $2").toLowerCase(Locale.ROOT);
        return message == null || message.isBlank() ? words : clip(message);
    }
}
