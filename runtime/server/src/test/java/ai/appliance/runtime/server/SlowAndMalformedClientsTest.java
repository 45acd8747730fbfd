package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Clients that send too slowly, too much or contradictory framing, on raw sockets against the started appliance:
 * each gets its status with a reason, and none keeps a connection it should not.
 */
class SlowAndMalformedClientsTest {

    private static Harness harness;

    @BeforeAll
    static void start() {
        harness = Harness.start(Map.of("server.header-timeout", "PT1S", "server.body-timeout", "PT1S",
                "server.idle-timeout", "PT1S", "server.max-connections", "64",
                "server.max-payload-bytes", "1048576"));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static RawHttp connect() throws Exception {
        return new RawHttp(harness.appliance.server().port());
    }

    @Test
    void aClientThatStopsInsideTheHeadersGets408AndIsDisconnected() throws Exception {
        try (var client = connect()) {
            var res = client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: box\r\nContent-Type: applica").response();
            assertEquals(408, res.status(), res.body());
            assertTrue(res.body().contains("server.header-timeout"), res.body());
            assertTrue(res.body().contains("\"code\":\"request_timeout\""), res.body());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aClientThatStopsInsideTheBodyGets408AndIsDisconnected() throws Exception {
        try (var client = connect()) {
            var res = client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: box\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 50\r\n\r\n{\"mess").response();
            assertEquals(408, res.status(), res.body());
            assertTrue(res.body().contains("server.body-timeout"), res.body());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aKeptAliveConnectionWithNoNewRequestIsClosedOnceIdle() throws Exception {
        try (var client = connect()) {
            assertEquals(200, client.send("GET /health/live HTTP/1.1\r\nHost: box\r\n\r\n").response().status());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aNegativeContentLengthGets400NamingTheHeader() throws Exception {
        try (var client = connect()) {
            var res = client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: box\r\nContent-Length: -5\r\n\r\nhello")
                    .response();
            assertEquals(400, res.status(), res.body());
            assertTrue(res.body().contains("Content-Length must be the body's size in bytes"), res.body());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void contentLengthWithTransferEncodingIsRefusedAndTheConnectionClosed() throws Exception {
        try (var client = connect()) {
            var res = client.send("POST /v1/chat/completions HTTP/1.1\r\nHost: box\r\nContent-Length: 4\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health/live HTTP/1.1\r\nHost: box\r\n\r\n").response();
            assertEquals(400, res.status(), res.body());
            assertTrue(res.body().contains("either Content-Length or Transfer-Encoding"), res.body());
            assertEquals("close", res.headers().get("connection"));
            assertTrue(client.closedByServer(), "the smuggled second request must not be served");
        }
    }

    @Test
    void aChunkedBodyOverThePayloadLimitGets413() throws Exception {
        var request = new ByteArrayOutputStream();
        request.writeBytes(("POST /v1/chat/completions HTTP/1.1\r\nHost: box\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n").getBytes());
        var chunk = new byte[64 * 1024];
        java.util.Arrays.fill(chunk, (byte) ' ');
        for (int i = 0; i < 80; i++) {
            request.writeBytes((Integer.toHexString(chunk.length) + "\r\n").getBytes());
            request.writeBytes(chunk);
            request.writeBytes("\r\n".getBytes());
        }
        request.writeBytes("0\r\n\r\n".getBytes());
        try (var client = connect()) {
            var res = client.send(request.toByteArray()).response();
            assertEquals(413, res.status(), res.body());
            assertTrue(res.body().contains("larger than 1048576 bytes (server.max-payload-bytes)"), res.body());
            assertTrue(res.body().contains("\"code\":\"payload_too_large\""), res.body());
        }
    }

    @Test
    void aWellFormedRequestOnTheSameServerIsStillServed() throws Exception {
        try (var client = connect()) {
            var res = client.send("GET /health/live HTTP/1.1\r\nHost: box\r\n\r\n").response();
            assertEquals(200, res.status(), res.body());
        }
    }

    @Test
    void theConnectionLimitAndIdleTimeoutReachTheHttpListener() {
        var settings = harness.appliance.server().httpSettings();
        assertEquals(64, settings.maxTcpConnections());
        assertEquals(Duration.ofSeconds(1), settings.idleConnectionTimeout());
    }
}
