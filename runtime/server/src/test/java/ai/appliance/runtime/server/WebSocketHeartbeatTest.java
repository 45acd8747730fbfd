package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keep-alive on /v1/ws: server pings at {@code server.websocket.heartbeat}, and the JSON ping/pong of docs/api.md. */
class WebSocketHeartbeatTest {

    private static final Duration HEARTBEAT = Duration.ofMillis(300);
    private static Harness harness;

    @BeforeAll
    static void start() {
        harness = Harness.start(Map.of("server.websocket.heartbeat", "PT0.3S"));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    /** Records when WebSocket pings arrive (the client answers them with pongs itself) and every text message. */
    private static final class Recorder implements WebSocket.Listener {
        final List<Long> pingNanos = new CopyOnWriteArrayList<>();
        final List<String> pingPayloads = new CopyOnWriteArrayList<>();
        final CompletableFuture<String> firstText = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            pingNanos.add(System.nanoTime());
            pingPayloads.add(StandardCharsets.UTF_8.decode(message).toString());
            return WebSocket.Listener.super.onPing(ws, message);
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                firstText.complete(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }

    private static WebSocket connect(Recorder recorder) throws Exception {
        return harness.http.newWebSocketBuilder()
                .buildAsync(URI.create("ws://127.0.0.1:" + harness.appliance.server().port() + "/v1/ws"), recorder)
                .get(10, TimeUnit.SECONDS);
    }

    @Test
    void idleSocketIsPingedEveryConfiguredHeartbeat() throws Exception {
        var recorder = new Recorder();
        long opened = System.nanoTime();
        var ws = connect(recorder);
        long deadline = opened + Duration.ofSeconds(10).toNanos();
        while (recorder.pingNanos.size() < 4 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);

        var pings = recorder.pingNanos;
        assertTrue(pings.size() >= 4, "4 pings within 10 s at a 300 ms heartbeat, got " + pings.size());
        // The server sleeps a full interval before each ping; half of it leaves room for delivery jitter.
        long minGap = HEARTBEAT.toNanos() / 2;
        assertTrue(pings.getFirst() - opened >= minGap, "the first ping waits one interval");
        for (int i = 1; i < pings.size(); i++) {
            long gap = pings.get(i) - pings.get(i - 1);
            assertTrue(gap >= minGap, "pings come once per interval, not faster: gap " + gap / 1_000_000 + " ms");
        }
        assertEquals("hb", recorder.pingPayloads.getFirst());
    }

    @Test
    void jsonPingIsAnsweredWithPong() throws Exception {
        var recorder = new Recorder();
        var ws = connect(recorder);
        ws.sendText("{\"type\":\"ping\"}", true);
        var reply = Harness.json(recorder.firstText.get(10, TimeUnit.SECONDS));
        assertEquals("pong", reply.get("type").asText(), reply.toString());
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
    }
}
