package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A forwarded request in flight when the appliance shuts down gets the shutdown grace to finish, as local ones do. */
class UpstreamShutdownTest {

    @Test
    void aForwardedAnswerInFlightFinishesDuringTheShutdownGrace() throws Exception {
        try (var upstream = ScriptedUpstream.start(
                "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"first \"}}]}\n\n")) {
            var edge = Harness.start(Map.of("shutdown.grace", "PT30S",
                    "models.1.name", "slow", "models.1.upstream.url", upstream.url()));
            var request = HttpRequest.newBuilder(edge.base.resolve("/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(60)).header("content-type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"slow\",\"stream\":true,\"max_tokens\":8,"
                            + "\"messages\":[{\"role\":\"user\",\"content\":\"take your time\"}]}")).build();
            var response = edge.http.send(request, HttpResponse.BodyHandlers.ofLines());
            var lines = response.body().iterator();
            var data = new ArrayList<String>();
            while (data.isEmpty()) {
                var line = lines.next();
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            }
            var closing = CompletableFuture.runAsync(edge::close);
            // Give shutdown time to reach the forwarded request: it must wait there for the upstream to finish.
            Thread.sleep(300);
            assertFalse(closing.isDone(), "shutdown did not wait for the forwarded request");
            upstream.finish("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"second\"},\"finish_reason\":"
                    + "\"stop\"}]}\n\ndata: [DONE]\n\n");
            lines.forEachRemaining(line -> {
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                }
            });
            closing.get(60, TimeUnit.SECONDS);
            assertEquals("[DONE]", data.getLast(), data.toString());
            assertTrue(data.stream().anyMatch(d -> d.contains("\"second\"")), data.toString());
        }
    }
}
