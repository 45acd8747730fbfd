package ai.appliance.runtime.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.server.Harness;
import ai.appliance.runtime.testing.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The demo model is for a box with nothing configured: a store model that fails to load leaves the appliance not
 * ready, saying why, and the first real model takes over from the demo, requests that name no model included.
 */
class StoreModelReadinessTest {

    private static void version(Path store, String version, String fixture) throws Exception {
        var folder = Files.createDirectories(store.resolve("models/tiny/versions/" + version));
        if (fixture == null) {
            Files.writeString(folder.resolve("model.gguf"), "not a gguf");
        } else {
            Files.createSymbolicLink(folder.resolve("model.gguf"), Fixtures.model("tiny-qwen2").resolve(fixture));
        }
    }

    private static void activate(Path store, String version) throws Exception {
        var model = Files.createDirectories(store.resolve("models/tiny"));
        var next = model.resolve("active.new");
        Files.deleteIfExists(next);
        Files.createSymbolicLink(next, Path.of("versions/" + version));
        Files.move(next, model.resolve("active"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static void awaitOnlyModel(Harness h, String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            var models = Harness.json(h.get("/v1/models").body()).get("data");
            if (models.size() == 1 && models.get(0).get("id").asText().equals(name)) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not served alone: " + name + ": " + h.get("/v1/models").body());
    }

    private static String fingerprintOfARequestNamingNoModel(Harness h) throws Exception {
        var res = h.post("/v1/chat/completions", "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(200, res.statusCode(), res.body());
        return Harness.json(res.body()).get("system_fingerprint").asText();
    }

    @Test
    void aStoreModelThatFailsToLoadLeavesTheApplianceNotReadyWithTheReasonInsteadOfTheDemo() throws Exception {
        var dir = Files.createTempDirectory("store-ready");
        var store = dir.resolve("store");
        version(store, "v1", null);
        activate(store, "v1");
        try (var harness = Harness.start(dir, Map.of("models", "none"))) {
            var ready = harness.get("/health/ready");
            assertEquals(503, ready.statusCode(), ready.body());
            var body = Harness.json(ready.body());
            assertEquals("model-loaded", body.at("/failing/0").asText());
            var reason = body.at("/reasons/model-loaded").asText();
            assertTrue(reason.startsWith("cannot load tiny v1: "), reason);
            assertTrue(reason.contains("model.gguf"), reason);
            assertEquals(0, Harness.json(harness.get("/v1/models").body()).get("data").size(), "no demo stands in");

            version(store, "v2", "tiny-qwen2-q8_0.gguf");
            activate(store, "v2");
            awaitOnlyModel(harness, "tiny");
            assertEquals(200, harness.get("/health/ready").statusCode());
            assertEquals("tiny@v2", fingerprintOfARequestNamingNoModel(harness));
        }
    }

    @Test
    void theFirstRealModelTakesOverFromTheDemoForRequestsNamingNoModel() throws Exception {
        var dir = Files.createTempDirectory("store-demo");
        var store = dir.resolve("store");
        try (var harness = Harness.start(dir, Map.of("models", "none"))) {
            var models = Harness.json(harness.get("/v1/models").body()).get("data");
            assertTrue(models.get(0).get("demo").asBoolean(), "an empty box serves the demo");
            assertEquals(200, harness.get("/health/ready").statusCode());

            version(store, "v1", "tiny-qwen2-q8_0.gguf");
            activate(store, "v1");
            awaitOnlyModel(harness, "tiny");
            assertEquals("tiny@v1", fingerprintOfARequestNamingNoModel(harness));
            assertFalse(Harness.json(harness.get("/v1/models").body()).at("/data/0/demo").asBoolean());
        }
    }
}
