package ai.appliance.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.appliance.runtime.config.ApplianceConfig;
import ai.appliance.runtime.security.ApiKeyStore;
import ai.appliance.runtime.server.Appliance;
import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Hybrid routing through a second appliance running as a separate process ({@code Main serve}, the random-weight demo
 * model): this appliance (in the test's JVM, the tiny fixture as its local model {@code small}) forwards the model
 * entry {@code big} to it. Routing by API key role and by prompt length, {@code local_only} requests that never
 * reach the upstream (its own audit log and metrics show it), then the upstream killed in the middle of a stream:
 * the client's stream ends with an error event, following requests go to the local fallback while the circuit is
 * open, and once the upstream is started again a half-open probe closes the circuit.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HybridRoutingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final String EDGE_KEY = "sk-hybrid-edge-box-0123456789";
    private static final String OPS_KEY = "sk-hybrid-upstream-ops-0123456789";
    private static final Map<String, String> CALLERS = Map.of(
            "analyst", "sk-hybrid-analyst-0123456789",
            "staff", "sk-hybrid-staff-0123456789",
            "clinic", "sk-hybrid-clinic-0123456789",
            "ops", "sk-hybrid-edge-ops-0123456789");
    /** Over the length rule's 60 tokens, measured with the local model's tokenizer. */
    private static final String LONG_PROMPT = ("Summarise the attached ward notes for the morning hand-over, one line per"
            + " patient, flagging anything that changed overnight. ").repeat(4);

    private static Path dir;
    private static int upstreamPort;
    private static Process upstream;
    private static Appliance edge;
    private static URI edgeBase;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("hybrid-routing");
        upstreamPort = freePort();
        Files.writeString(dir.resolve("upstream.yaml"), """
                server: {host: 127.0.0.1, port: %d}
                grpc: {enabled: false}
                mqtt: {enabled: false}
                store: {root: %s}
                engine: {threads: 1}
                shutdown: {grace: PT1S}
                security:
                  api-keys:
                    - {name: edge-box, role: user, rate-per-second: 1000, hash: "sha256:%s"}
                    - {name: ops, role: admin, hash: "sha256:%s"}
                """.formatted(upstreamPort, dir.resolve("upstream-store"), ApiKeyStore.sha256Hex(EDGE_KEY),
                ApiKeyStore.sha256Hex(OPS_KEY)));
        upstream = startUpstream();

        var keyFile = Files.writeString(dir.resolve("upstream.key"), EDGE_KEY + "\n");
        var settings = new LinkedHashMap<String, String>();
        settings.put("server.port", "0");
        settings.put("grpc.enabled", "false");
        settings.put("mqtt.enabled", "false");
        settings.put("store.root", dir.resolve("edge-store").toString());
        settings.put("engine.threads", "1");
        settings.put("shutdown.grace", "PT2S");
        settings.put("models.0.name", "small");
        settings.put("models.0.path", Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf").toString());
        settings.put("models.1.name", "big");
        settings.put("models.1.fallback", "small");
        settings.put("models.1.upstream.url", "http://127.0.0.1:" + upstreamPort + "/v1");
        settings.put("models.1.upstream.model", "deepseek-r1-demo-random-weights");
        settings.put("models.1.upstream.api-key-file", keyFile.toString());
        settings.put("models.1.upstream.breaker.failures", "2");
        // Long enough that the requests right after the circuit opens all arrive before its first probe.
        settings.put("models.1.upstream.breaker.open-for", "PT4S");
        int i = 0;
        for (var caller : List.of("analyst", "staff", "clinic", "ops")) {
            settings.put("security.api-keys." + i + ".name", caller);
            settings.put("security.api-keys." + i + ".role", switch (caller) {
                case "analyst" -> "developer";
                case "ops" -> "admin";
                default -> "user";
            });
            settings.put("security.api-keys." + i + ".rate-per-second", "1000");
            settings.put("security.api-keys." + i + ".hash", "sha256:" + ApiKeyStore.sha256Hex(CALLERS.get(caller)));
            i++;
        }
        settings.put("routing.local-only.api-keys.0", "clinic");
        settings.put("routing.rules.0.roles.0", "developer");
        settings.put("routing.rules.0.model", "big");
        settings.put("routing.rules.1.min-prompt-tokens", "60");
        settings.put("routing.rules.1.model", "big");
        edge = Appliance.start(ApplianceConfig.from(Config.builder().disableEnvironmentVariablesSource()
                .disableSystemPropertiesSource().addSource(ConfigSources.create(settings)).build()));
        edgeBase = URI.create(edge.server().baseUrl());
    }

    @AfterAll
    static void stop() throws Exception {
        if (edge != null) {
            edge.close();
        }
        if (upstream != null) {
            upstream.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** {@code java -cp <this test's class path> ai.appliance.runtime.cli.Main serve -c upstream.yaml}. */
    private static Process startUpstream() throws Exception {
        var log = dir.resolve("upstream.log");
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            Files.deleteIfExists(log);
            var process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx512m",
                    "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                    "serve", "-c", dir.resolve("upstream.yaml").toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            while (System.nanoTime() < deadline) {
                var text = Files.exists(log) ? Files.readString(log) : "";
                if (text.contains("appliance ready:")) {
                    return process;
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
            var text = Files.exists(log) ? Files.readString(log) : "";
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            // The port the killed upstream held can take a moment to be free again.
            if (text.contains("cannot start the HTTP server") && System.nanoTime() < deadline) {
                Thread.sleep(500);
                continue;
            }
            fail("the upstream appliance did not start within " + START_TIMEOUT + "; its output:\n" + text);
        }
    }

    private static int freePort() {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static HttpRequest.Builder request(URI base, String path, String key) {
        var builder = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(120));
        return key == null ? builder : builder.header("authorization", "Bearer " + key);
    }

    private static HttpResponse<String> chat(String caller, String requestId, String body) throws Exception {
        return HTTP.send(request(edgeBase, "/v1/chat/completions", CALLERS.get(caller))
                .header("content-type", "application/json").header("x-request-id", requestId)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String body(String model, String prompt, int maxTokens, String extra) throws IOException {
        var root = JSON.createObjectNode().put("model", model).put("max_tokens", maxTokens).put("temperature", 0);
        root.putArray("messages").addObject().put("role", "user").put("content", prompt);
        var text = JSON.writeValueAsString(root);
        return extra.isEmpty() ? text : text.substring(0, text.length() - 1) + "," + extra + "}";
    }

    private static List<JsonNode> audit(URI base, String key) throws Exception {
        var res = HTTP.send(request(base, "/v1/audit", key).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() == 404 && res.body().contains("no audit log for")) {
            return List.of(); // nothing audited yet today
        }
        assertEquals(200, res.statusCode(), res.body());
        var out = new ArrayList<JsonNode>();
        for (var line : res.body().split("\n")) {
            if (!line.isBlank()) {
                out.add(JSON.readTree(line));
            }
        }
        return out;
    }

    private static JsonNode edgeRecord(String requestId) throws Exception {
        return audit(edgeBase, CALLERS.get("ops")).stream()
                .filter(r -> r.path("requestId").asText().equals(requestId)).findFirst()
                .orElseThrow(() -> new AssertionError("the edge audited no request " + requestId));
    }

    private static URI upstreamBase() {
        return URI.create("http://127.0.0.1:" + upstreamPort);
    }

    private static boolean upstreamSaw(String requestId) throws Exception {
        return audit(upstreamBase(), OPS_KEY).stream().anyMatch(r -> r.path("requestId").asText().equals(requestId));
    }

    private static double upstreamMetric(String series) throws Exception {
        var text = HTTP.send(request(upstreamBase(), "/metrics", OPS_KEY).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        var m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String edgeUpstreamState() throws Exception {
        var res = HTTP.send(request(edgeBase, "/health/ready", null).GET().build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(res.body()).at("/upstreams/big").asText();
    }

    private static boolean hasText(String data) throws IOException {
        if (!data.startsWith("{")) {
            return false;
        }
        var delta = JSON.readTree(data).at("/choices/0/delta");
        return !delta.path("reasoning_content").asText("").isEmpty() || !delta.path("content").asText("").isEmpty();
    }

    @Test
    @Order(1)
    void routesByRoleAndPromptLengthAndKeepsLocalOnlyRequestsOnThisAppliance() throws Exception {
        var shortLocal = chat("staff", "staff-short", body("small", "hi", 4, ""));
        assertEquals(200, shortLocal.statusCode(), shortLocal.body());
        assertEquals("local", edgeRecord("staff-short").get("route").asText());
        assertFalse(upstreamSaw("staff-short"));

        // A developer's requests go upstream whatever they name (rule 0).
        var byRole = chat("analyst", "analyst-short", body("small", "hi", 4, ""));
        assertEquals(200, byRole.statusCode(), byRole.body());
        assertEquals("big", JSON.readTree(byRole.body()).get("model").asText());
        assertEquals("upstream", edgeRecord("analyst-short").get("route").asText());
        assertTrue(upstreamSaw("analyst-short"), "the upstream audited the forwarded request under the same id");

        // Long prompts go upstream for anyone (rule 1).
        var byLength = chat("staff", "staff-long", body("small", LONG_PROMPT, 4, ""));
        assertEquals(200, byLength.statusCode(), byLength.body());
        assertEquals("upstream", edgeRecord("staff-long").get("route").asText());
        assertTrue(upstreamSaw("staff-long"));

        // The clinic's key is local-only: the same long prompt stays here, answered by big's fallback.
        var generatedBefore = upstreamMetric("appliance_request_prompt_tokens_count");
        var clinic = chat("clinic", "clinic-long", body("small", LONG_PROMPT, 4, ""));
        assertEquals(200, clinic.statusCode(), clinic.body());
        var clinicRecord = edgeRecord("clinic-long");
        assertEquals("fallback", clinicRecord.get("route").asText());
        assertEquals("small", clinicRecord.get("target").asText());
        assertEquals("local_only", clinicRecord.get("fallbackReason").asText());
        assertTrue(clinicRecord.get("localOnly").asBoolean());
        // local_only set by the request itself, for the upstream's own model name.
        var flagged = chat("staff", "staff-flagged", body("big", "keep this here", 4, "\"local_only\":true"));
        assertEquals(200, flagged.statusCode(), flagged.body());
        assertEquals("fallback", edgeRecord("staff-flagged").get("route").asText());
        assertFalse(upstreamSaw("clinic-long"), "a local-only request reached the upstream");
        assertFalse(upstreamSaw("staff-flagged"), "a local-only request reached the upstream");
        assertEquals(generatedBefore, upstreamMetric("appliance_request_prompt_tokens_count"),
                "the upstream generated nothing for them");

        // Streaming is forwarded as streaming, with the upstream's usage recorded here.
        var streamed = chat("analyst", "analyst-stream", body("big", "stream it", 8,
                "\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        assertEquals(200, streamed.statusCode());
        assertTrue(streamed.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        JsonNode usage = null;
        int textChunks = 0;
        for (var line : streamed.body().split("\n")) {
            if (line.startsWith("data: {")) {
                var chunk = JSON.readTree(line.substring(6));
                if (!chunk.at("/choices/0/delta/reasoning_content").asText("").isEmpty()
                        || !chunk.at("/choices/0/delta/content").asText("").isEmpty()) {
                    textChunks++;
                }
                if (chunk.hasNonNull("usage")) {
                    usage = chunk.get("usage");
                }
            }
        }
        assertTrue(textChunks > 1, "several chunks, not one collected answer: " + streamed.body());
        assertTrue(streamed.body().strip().endsWith("data: [DONE]"));
        assertNotNull(usage, streamed.body());
        assertEquals(8, usage.get("completion_tokens").asInt());
        var record = edgeRecord("analyst-stream");
        assertEquals(usage.get("prompt_tokens").asInt(), record.get("promptTokens").asInt());
        assertEquals(8, record.get("completionTokens").asInt());
    }

    @Test
    @Order(2)
    void killingTheUpstreamMidStreamEndsTheStreamWithAnErrorThenFallsBackUntilAProbeFindsItBack() throws Exception {
        var response = HTTP.send(request(edgeBase, "/v1/chat/completions", CALLERS.get("analyst"))
                        .header("content-type", "application/json").header("x-request-id", "cut-off")
                        .POST(HttpRequest.BodyPublishers.ofString(body("big", "a long answer please", 3000,
                                "\"stream\":true"))).build(),
                HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        var data = new ArrayList<String>();
        boolean killed = false;
        // Reading ends with the response: the request's 120 s timeout would fail the test if the stream hung.
        for (var line : (Iterable<String>) response.body()::iterator) {
            if (!line.startsWith("data: ")) {
                continue;
            }
            data.add(line.substring(6));
            if (!killed && hasText(line.substring(6))) {
                upstream.destroyForcibly();
                killed = true;
            }
        }
        assertTrue(killed, "no text arrived before the stream ended: " + data);
        var last = JSON.readTree(data.getLast());
        assertEquals("upstream_error", last.at("/error/code").asText(), "the stream ends with an error event: " + data);
        assertFalse(data.contains("[DONE]"));
        assertTrue(upstream.waitFor(30, TimeUnit.SECONDS));

        // Not yet open (1 failure of 2): this request tries the upstream, fails before any output, falls back.
        var first = chat("analyst", "after-kill-1", body("big", "are you there?", 4, ""));
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("small", JSON.readTree(first.body()).get("model").asText());
        assertEquals("upstream_failed", edgeRecord("after-kill-1").get("fallbackReason").asText());
        assertEquals("open", edgeUpstreamState());
        var second = chat("analyst", "after-kill-2", body("big", "still there?", 4, ""));
        assertEquals(200, second.statusCode(), second.body());
        assertEquals("circuit_open", edgeRecord("after-kill-2").get("fallbackReason").asText());

        upstream = startUpstream();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!edgeUpstreamState().equals("closed")) {
            assertTrue(System.nanoTime() < deadline, "no half-open probe closed the circuit; state "
                    + edgeUpstreamState());
            Thread.sleep(200);
        }
        var back = chat("analyst", "after-restart", body("big", "welcome back", 4, ""));
        assertEquals(200, back.statusCode(), back.body());
        assertEquals("big", JSON.readTree(back.body()).get("model").asText());
        assertEquals("upstream", edgeRecord("after-restart").get("route").asText());
        assertTrue(upstreamSaw("after-restart"));
    }
}
