package ai.appliance.runtime.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.api.ErrorKind;
import ai.appliance.runtime.metrics.UpstreamMetrics.Outcome;
import ai.appliance.runtime.serving.Route.FallbackReason;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** What a client is told, and whether the local fallback may answer, for each way an upstream can fail. */
class UpstreamFaultsTest {

    private static final UpstreamSettings SETTINGS = new UpstreamSettings("big", URI.create("https://dc:8443/v1"),
            "deepseek-r1", null, null, null, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(30), 3,
            Duration.ofSeconds(30), "small");
    private static final UpstreamFaults FAULTS = new UpstreamFaults(SETTINGS, new ObjectMapper());

    @Test
    void aRequestTheUpstreamRefusesReachesTheClientWithItsFieldAndNoFallback() {
        var fault = FAULTS.status(400, "{\"error\":{\"message\":\"max_tokens must be at most 64\",\"type\":"
                + "\"invalid_request_error\",\"param\":\"max_tokens\",\"code\":\"invalid_request\"}}", 0);
        var error = fault.failure().clientError();
        assertEquals(ErrorKind.INVALID_REQUEST, error.kind());
        assertEquals("max_tokens", error.param());
        assertTrue(error.getMessage().contains("upstream 'big'") && error.getMessage().contains("at most 64"));
        assertNull(fault.failure().fallbackReason(), "a local model must not answer a request its caller must fix");
        assertFalse(fault.upstreamDown());
        assertEquals(Outcome.CLIENT_ERROR, fault.outcome());

        var tooLong = FAULTS.status(400, "{\"error\":{\"message\":\"too long\",\"code\":\"context_length_exceeded\"}}", 0);
        assertEquals(ErrorKind.CONTEXT_LENGTH_EXCEEDED, tooLong.failure().clientError().kind());
        // vLLM's and FastAPI's error shapes.
        assertTrue(FAULTS.status(422, "{\"object\":\"error\",\"message\":\"bad stop\",\"code\":400}", 0)
                .failure().getMessage().contains("bad stop"));
        assertTrue(FAULTS.status(422, "{\"detail\":\"field required\"}", 0).failure().getMessage()
                .contains("field required"));
    }

    @Test
    void credentialsMissingModelsAndServerErrorsAreTheUpstreamsFailureAndMayFallBack() {
        for (int status : new int[] {401, 403, 404, 500, 502, 503}) {
            var fault = FAULTS.status(status, "<html>proxy error page</html>", 0);
            assertEquals(ErrorKind.UPSTREAM_ERROR, fault.failure().clientError().kind(), "HTTP " + status);
            assertEquals(FallbackReason.UPSTREAM_FAILED, fault.failure().fallbackReason());
            assertTrue(fault.upstreamDown(), "HTTP " + status + " counts against the upstream");
        }
        assertTrue(FAULTS.status(401, "{}", 0).failure().getMessage().contains("api-key"));
        assertTrue(FAULTS.status(404, "{}", 0).failure().getMessage().contains("deepseek-r1"));
    }

    @Test
    void aBusyUpstreamMayFallBackButIsNotCountedAsDown() {
        var fault = FAULTS.status(429, "{\"error\":{\"message\":\"queue full\"}}", 7);
        assertEquals(ErrorKind.QUEUE_FULL, fault.failure().clientError().kind());
        assertEquals(7, fault.failure().clientError().retryAfterSeconds());
        assertEquals(FallbackReason.UPSTREAM_BUSY, fault.failure().fallbackReason());
        assertFalse(fault.upstreamDown());
    }

    @Test
    void connectionFailuresNameTheUpstreamAndWhatToCheck() {
        var refused = FAULTS.broken(new CompletionException(new ConnectException("Connection refused")), false);
        assertEquals(ErrorKind.UPSTREAM_ERROR, refused.failure().clientError().kind());
        assertTrue(refused.failure().getMessage().contains("https://dc:8443/v1"));
        // The JDK's client reports a refused connection without a message.
        assertTrue(FAULTS.broken(new ConnectException(), false).failure().getMessage().contains("connection refused"));
        assertTrue(refused.upstreamDown());

        var tls = FAULTS.broken(new IOException(new SSLHandshakeException("PKIX path building failed")), false);
        assertTrue(tls.failure().getMessage().contains("tls"), tls.failure().getMessage());

        var slowConnect = FAULTS.broken(new HttpConnectTimeoutException("HTTP connect timed out"), false);
        assertEquals(Outcome.TIMEOUT, slowConnect.outcome());
        assertTrue(slowConnect.failure().getMessage().contains("connect-timeout"));

        var noHeaders = FAULTS.broken(new HttpTimeoutException("request timed out"), false);
        assertEquals(ErrorKind.TIMEOUT, noHeaders.failure().clientError().kind());
        assertTrue(noHeaders.failure().getMessage().contains("first-token-timeout"));

        var cut = FAULTS.broken(new IOException("EOF reached while reading"), true);
        assertTrue(cut.failure().getMessage().contains("broke off the answer"));
    }

    @Test
    void anOpenCircuitSendsNothingAndSaysWhenToRetry() {
        var fault = FAULTS.circuitOpen();
        assertEquals(ErrorKind.UNAVAILABLE, fault.failure().clientError().kind());
        assertEquals(30, fault.failure().clientError().retryAfterSeconds());
        assertEquals(FallbackReason.CIRCUIT_OPEN, fault.failure().fallbackReason());
        assertEquals(Outcome.SHORT_CIRCUITED, fault.outcome());
        assertFalse(fault.upstreamDown(), "not sent: nothing to count");
    }

    @Test
    void longUpstreamMessagesAreClippedToOneLine() {
        var fault = FAULTS.status(500, "line one\n" + "x".repeat(2000), 0);
        var message = fault.failure().getMessage();
        assertFalse(message.contains("\n"));
        assertTrue(message.length() < 500, message.length() + " characters");
    }
}
