package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Shutdown lets a running request finish within the grace period. */
class GracefulShutdownTest {

    @Test
    void inFlightStreamFinishesWhileTheServerShutsDown() throws Exception {
        var harness = Harness.start(Map.of("shutdown.grace", "PT20S"));
        var body = "{\"stream\":true,\"max_tokens\":400,\"temperature\":0.9,\"seed\":7,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"keep going\"}]}";
        var inFlight = CompletableFuture.supplyAsync(() -> {
            try {
                return harness.http.send(HttpRequest.newBuilder(harness.base.resolve("/v1/chat/completions"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        // Wait until it is generating, then shut down underneath it.
        long deadline = System.nanoTime() + 10_000_000_000L;
        var generating = "appliance_running_sequences{model=\"tiny-qwen2\",version=\"q8_0\"} 1.0";
        while (!harness.get("/metrics").body().contains(generating) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        harness.close();
        var res = inFlight.get();
        assertEquals(200, res.statusCode());
        assertTrue(res.body().trim().endsWith("data: [DONE]"), "the stream completed");
        var events = Schemas.sseEvents(res.body());
        var usage = Harness.json(events.get(events.size() - 2));
        assertTrue(usage.at("/choices/0/finish_reason").asText().matches("stop|length"));
    }
}
