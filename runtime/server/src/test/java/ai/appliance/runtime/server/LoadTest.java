package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * A bounded load test (not timed): 200 concurrent streaming clients on loopback. Each one either streams to
 * {@code [DONE]} or is refused with 429/503; nothing else happens, and no server thread outlives the server.
 */
class LoadTest {

    @Test
    void twoHundredConcurrentStreamsAllFinishOrAreRefused() throws Exception {
        // Process-wide singletons (JDK poller, Helidon timers, gRPC's shared event loop) start with the first
        // server; start and stop one first so that only what this load leaves behind counts.
        Harness.start(Map.of()).close();
        var before = liveThreadNames();
        var statuses = new TreeMap<Integer, Integer>();
        try (var harness = Harness.start(Map.of("scheduler.queue-capacity", "48", "scheduler.max-batch", "32"))) {
            var body = "{\"stream\":true,\"max_tokens\":8,\"temperature\":0.7,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"load\"}]}";
            var futures = new ArrayList<Future<Integer>>();
            try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int i = 0; i < 200; i++) {
                    futures.add(pool.submit((Callable<Integer>) () -> {
                        var request = HttpRequest.newBuilder(harness.base.resolve("/v1/chat/completions"))
                                .timeout(Duration.ofSeconds(120)).header("content-type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                        var res = harness.http.send(request, HttpResponse.BodyHandlers.ofString());
                        if (res.statusCode() == 200) {
                            var events = Schemas.sseEvents(res.body());
                            assertEquals("[DONE]", events.getLast(), "stream ends with [DONE]");
                        } else {
                            RestApiTest.assertError(res, res.statusCode(), res.statusCode() == 429
                                    ? "rate_limit_error" : "server_error");
                            assertTrue(res.headers().firstValue("retry-after").isPresent(), "refusals say when to retry");
                        }
                        return res.statusCode();
                    }));
                }
                for (var f : futures) {
                    statuses.merge(f.get(), 1, Integer::sum);
                }
            }
        }
        assertTrue(Set.of(200, 429, 503).containsAll(statuses.keySet()), "only 200/429/503: " + statuses);
        assertTrue(statuses.getOrDefault(200, 0) >= 32, "at least a full batch was served: " + statuses);
        assertEquals(200, statuses.values().stream().mapToInt(Integer::intValue).sum());
        Thread.sleep(1000);
        var after = liveThreadNames();
        after.removeIf(n -> n.startsWith("HttpClient-")); // the test's own client pool
        before.removeIf(n -> n.startsWith("HttpClient-"));
        var ours = after.stream().filter(n -> n.startsWith("scheduler-") || n.startsWith("mqtt-")
                || n.startsWith("ws-") || n.startsWith("retire-") || n.startsWith("store-watcher")).toList();
        assertTrue(ours.isEmpty(), "threads of the appliance left behind: " + ours);
        // Library singletons may be re-created lazily, but nothing may grow with the 200 clients.
        assertTrue(after.size() <= before.size() + 5, "live threads grew from " + before.size() + " to " + after.size()
                + ": " + after);
    }

    private static java.util.List<String> liveThreadNames() {
        var names = new ArrayList<String>();
        Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).forEach(t -> names.add(t.getName()));
        return names;
    }
}
