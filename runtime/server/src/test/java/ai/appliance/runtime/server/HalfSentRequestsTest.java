package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Socket;
import java.util.ArrayList;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Connections that never finish their request line: nothing sent at all, or half a line. The header deadline
 * (server.header-timeout) starts when the connection is accepted, so these are closed like a client stuck inside
 * its headers, long before the idle timeout (5 minutes here, longer than RawHttp waits for a close).
 */
class HalfSentRequestsTest {

    private static Harness harness;

    @BeforeAll
    static void start() {
        harness = Harness.start(Map.of("server.header-timeout", "PT1S", "server.idle-timeout", "PT5M",
                "server.max-connections", "64"));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static RawHttp connect() throws Exception {
        return new RawHttp(harness.appliance.server().port());
    }

    @Test
    void aClientThatSendsNothingGets408AndIsDisconnected() throws Exception {
        try (var client = connect()) {
            var res = client.response();
            assertEquals(408, res.status(), res.body());
            assertTrue(res.body().contains("the request line did not arrive"), res.body());
            assertTrue(res.body().contains("server.header-timeout"), res.body());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aClientThatSendsHalfARequestLineGets408AndIsDisconnected() throws Exception {
        try (var client = connect()) {
            var res = client.send("POST /v1/chat/compl").response();
            assertEquals(408, res.status(), res.body());
            assertTrue(client.closedByServer());
        }
    }

    /**
     * 500 silent sockets against a limit of 64 connections: they are closed by the header deadline, so a real
     * client is served once they are gone instead of waiting the five-minute idle timeout.
     */
    @Test
    void fiveHundredSilentSocketsDoNotLockOutARealClient() throws Exception {
        var silent = new ArrayList<Socket>();
        try {
            for (int i = 0; i < 500; i++) {
                var socket = new Socket("127.0.0.1", harness.appliance.server().port());
                if (i % 2 == 1) {
                    socket.getOutputStream().write("GET /health".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                }
                silent.add(socket);
            }
            try (var client = connect()) {
                var response = client.send("GET /health/live HTTP/1.1\r\nHost: box\r\n\r\n").response();
                assertEquals(200, response.status(), response.body());
            }
        } finally {
            for (var socket : silent) {
                socket.close();
            }
        }
    }
}
