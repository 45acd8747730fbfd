package ai.appliance.runtime.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.server.Harness;
import ai.appliance.runtime.testing.Fixtures;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The runtime side of the sync contract: serve the store's active version, hot-swap when the agent switches
 * the link (in-flight requests finish on the old version), and report every load in load-status.json.
 */
class StoreHotSwapTest {

    private static void version(Path store, String version, String fixture) throws Exception {
        var folder = store.resolve("models/tiny/versions/" + version);
        Files.createDirectories(folder);
        Files.createSymbolicLink(folder.resolve("model.gguf"), Fixtures.model("tiny-qwen2").resolve(fixture));
    }

    private static void activate(Path store, String version) throws Exception {
        var model = store.resolve("models/tiny");
        var next = model.resolve("active.new");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, Path.of("versions/" + version));
        Files.move(next, model.resolve("active"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static String loadStatus(Path store) throws Exception {
        return Files.readString(store.resolve("models/tiny/load-status.json"));
    }

    private static boolean status(Path store, String version, String state) throws Exception {
        var node = Harness.json(loadStatus(store));
        return node.get("version").asText().equals(version) && node.get("state").asText().equals(state);
    }

    private static void awaitVersion(Harness h, String version) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            var models = Harness.json(h.get("/v1/models").body()).get("data");
            if (models.size() == 1 && models.get(0).get("version").asText().equals(version)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("version " + version + " not served: " + h.get("/v1/models").body());
    }

    @Test
    void activeVersionChangeIsHotSwappedAndReported() throws Exception {
        var dir = Files.createTempDirectory("store-swap");
        var store = dir.resolve("store");
        version(store, "v1", "tiny-qwen2-q8_0.gguf");
        version(store, "v2", "tiny-qwen2-f32.gguf");
        Files.createDirectories(store.resolve("models/tiny/versions/v3"));
        Files.writeString(store.resolve("models/tiny/versions/v3/model.gguf"), "not a gguf");
        activate(store, "v1");
        try (var harness = Harness.start(dir, Map.of("models", "none"))) {
            awaitVersion(harness, "v1");
            assertTrue(status(store, "v1", "loaded"), loadStatus(store));

            var body = "{\"stream\":true,\"max_tokens\":300,\"temperature\":0.8,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"long answer\"}]}";
            var inFlight = CompletableFuture.supplyAsync(() -> {
                try {
                    return harness.http.send(HttpRequest.newBuilder(harness.base.resolve("/v1/chat/completions"))
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Thread.sleep(50);
            activate(store, "v2");
            awaitVersion(harness, "v2");
            var old = inFlight.get();
            assertEquals(200, old.statusCode());
            assertTrue(old.body().contains("tiny@v1"), "the in-flight request finished on v1");
            assertTrue(old.body().trim().endsWith("data: [DONE]"));
            var fresh = harness.post("/v1/chat/completions", "{\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
            assertEquals("tiny@v2", Harness.json(fresh.body()).get("system_fingerprint").asText());
            assertTrue(status(store, "v2", "loaded"), loadStatus(store));

            activate(store, "v3");
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!status(store, "v3", "failed") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertTrue(status(store, "v3", "failed"), loadStatus(store));
            assertTrue(loadStatus(store).contains("model.gguf"), "the error names the file: " + loadStatus(store));
            awaitVersion(harness, "v2");
        }
    }
}
