package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.grpc.v1.DeepSeekServiceGrpc;
import ai.appliance.runtime.grpc.v1.GenerateRequest;
import ai.appliance.runtime.security.ApiKeyStore;
import com.fasterxml.jackson.databind.JsonNode;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Model entries answered by an upstream appliance (a second, real appliance in this JVM serving the tiny fixture):
 * forwarding over REST and gRPC, streaming or not, usage and routes in both audit logs, the upstream's refusals and
 * failures mapped to the appliance's own errors, and the circuit breaker with its local fallback.
 * {@code HybridRoutingTest} (runtime/cli) runs the upstream as a separate process and kills it mid-stream.
 */
class UpstreamForwardingTest {

    private static final String UPSTREAM_KEY = "sk-upstream-edge-0123456789";
    private static final String ADMIN_KEY = "sk-upstream-admin-0123456789";
    private static Harness upstream;
    private static Harness edge;
    private static ScriptedUpstream silent;
    private static ScriptedUpstream stalling;

    @BeforeAll
    static void start() throws Exception {
        var settings = new HashMap<String, String>();
        settings.put("security.api-keys.0.name", "edge-box");
        settings.put("security.api-keys.0.role", "user");
        settings.put("security.api-keys.0.hash", "sha256:" + ApiKeyStore.sha256Hex(UPSTREAM_KEY));
        settings.put("security.api-keys.0.rate-per-second", "1000");
        settings.put("security.api-keys.1.name", "admin");
        settings.put("security.api-keys.1.role", "admin");
        settings.put("security.api-keys.1.hash", "sha256:" + ApiKeyStore.sha256Hex(ADMIN_KEY));
        // Smaller than the edge's limit, so that the upstream, not the edge, refuses a large max_tokens.
        settings.put("generation.max-max-tokens", "64");
        upstream = Harness.start(settings);

        var dir = Files.createTempDirectory("edge");
        var keyFile = Files.writeString(dir.resolve("upstream.key"), UPSTREAM_KEY + "\n");
        var wrongKey = Files.writeString(dir.resolve("wrong.key"), "sk-not-a-key-of-the-upstream\n");
        var edgeSettings = new HashMap<String, String>();
        upstreamEntry(edgeSettings, 1, "big", upstream.base + "/v1", keyFile, "tiny-qwen2");
        upstreamEntry(edgeSettings, 2, "gone", "http://127.0.0.1:" + Harness.freePort() + "/v1", keyFile, "tiny-qwen2");
        upstreamEntry(edgeSettings, 3, "locked", upstream.base + "/v1", wrongKey, null);
        silent = ScriptedUpstream.start(null);
        upstreamEntry(edgeSettings, 4, "silent", silent.url(), keyFile, null);
        edgeSettings.put("models.4.upstream.first-token-timeout", "PT1S");
        stalling = ScriptedUpstream.start("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Half an\"}}]}\n\n");
        upstreamEntry(edgeSettings, 5, "stalling", stalling.url(), keyFile, "tiny-qwen2");
        edgeSettings.put("models.5.upstream.idle-timeout", "PT1S");
        edge = Harness.start(dir, edgeSettings);
    }

    private static void upstreamEntry(Map<String, String> settings, int i, String name, String url, Path keyFile,
                                      String fallback) {
        settings.put("models." + i + ".name", name);
        settings.put("models." + i + ".upstream.url", url);
        settings.put("models." + i + ".upstream.model", Harness.MODEL);
        settings.put("models." + i + ".upstream.api-key-file", keyFile.toString());
        settings.put("models." + i + ".upstream.breaker.failures", "2");
        settings.put("models." + i + ".upstream.breaker.open-for", "PT60S");
        if (fallback != null) {
            settings.put("models." + i + ".fallback", fallback);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        edge.close();
        upstream.close();
        silent.close();
        stalling.close();
    }

    private static String chat(String model, String content, String extra) {
        return "{\"model\":\"" + model + "\",\"temperature\":0,\"max_tokens\":6" + extra
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + content + "\"}]}";
    }

    private static List<JsonNode> auditLines(Harness harness, String... headers) throws Exception {
        var res = harness.get("/v1/audit", headers);
        assertEquals(200, res.statusCode(), res.body());
        var lines = new ArrayList<JsonNode>();
        for (var line : res.body().split("\n")) {
            if (!line.isBlank()) {
                lines.add(Harness.json(line));
            }
        }
        return lines;
    }

    private static JsonNode auditOf(Harness harness, String requestId, String... headers) throws Exception {
        return auditLines(harness, headers).stream().filter(l -> requestId.equals(l.path("requestId").asText()))
                .findFirst().orElseThrow(() -> new AssertionError("no audit record for request " + requestId));
    }

    @Test
    void forwardsStreamingAndNonStreamingAnswersWithTheUpstreamsUsageInBothAuditLogs() throws Exception {
        var direct = upstream.post("/v1/chat/completions", chat(Harness.MODEL, "forward me", ""),
                "authorization", "Bearer " + UPSTREAM_KEY);
        assertEquals(200, direct.statusCode(), direct.body());
        var expected = Harness.json(direct.body());

        var forwarded = edge.post("/v1/chat/completions", chat("big", "forward me", ""), "x-request-id", "edge-req-1");
        assertEquals(200, forwarded.statusCode(), forwarded.body());
        var answer = Harness.json(forwarded.body());
        assertEquals("big", answer.get("model").asText());
        assertEquals(expected.at("/choices/0/message"), answer.at("/choices/0/message"));
        assertEquals(expected.at("/choices/0/finish_reason"), answer.at("/choices/0/finish_reason"));
        assertEquals(expected.at("/usage/prompt_tokens"), answer.at("/usage/prompt_tokens"));
        assertEquals(expected.at("/usage/completion_tokens"), answer.at("/usage/completion_tokens"));

        var streamed = edge.post("/v1/chat/completions", chat("big", "forward me",
                ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        assertEquals(200, streamed.statusCode());
        var text = new StringBuilder();
        JsonNode usage = null;
        for (var line : streamed.body().split("\n")) {
            if (line.startsWith("data: {")) {
                var chunk = Harness.json(line.substring(6));
                text.append(chunk.at("/choices/0/delta/reasoning_content").asText(""))
                        .append(chunk.at("/choices/0/delta/content").asText(""));
                if (chunk.hasNonNull("usage")) {
                    usage = chunk.get("usage");
                }
            }
        }
        assertTrue(streamed.body().strip().endsWith("data: [DONE]"), streamed.body());
        var message = expected.at("/choices/0/message");
        assertEquals(message.path("reasoning_content").asText("") + message.get("content").asText(), text.toString());
        assertEquals(expected.get("usage").get("total_tokens"), usage.get("total_tokens"));

        var edgeRecord = auditOf(edge, "edge-req-1");
        assertEquals("upstream", edgeRecord.get("route").asText());
        assertEquals("big", edgeRecord.get("target").asText());
        assertEquals(expected.at("/usage/prompt_tokens").asInt(), edgeRecord.get("promptTokens").asInt());
        assertEquals(expected.at("/usage/completion_tokens").asInt(), edgeRecord.get("completionTokens").asInt());
        // The upstream audited the same call under the edge's request id, as its key's caller.
        var upstreamRecord = auditOf(upstream, "edge-req-1", "authorization", "Bearer " + ADMIN_KEY);
        assertEquals("edge-box", upstreamRecord.get("principal").asText());
        assertEquals("local", upstreamRecord.get("route").asText());

        var models = Harness.json(edge.get("/v1/models").body()).get("data");
        var big = new ArrayList<JsonNode>();
        models.forEach(m -> {
            if (m.get("id").asText().equals("big")) {
                big.add(m);
            }
        });
        assertEquals(1, big.size(), models.toString());
        assertTrue(big.getFirst().get("upstream").asBoolean());
        assertEquals(Harness.MODEL, big.getFirst().get("version").asText());

        var metrics = edge.get("/metrics").body();
        assertTrue(sample(metrics, "appliance_upstream_requests_total{outcome=\"ok\",upstream=\"big\"}") >= 2, metrics);
        assertTrue(sample(metrics, "appliance_upstream_generated_tokens_total{upstream=\"big\"}")
                >= 2 * expected.at("/usage/completion_tokens").asInt(), metrics);
        assertTrue(sample(metrics, "appliance_upstream_prompt_tokens_total{upstream=\"big\"}")
                >= 2 * expected.at("/usage/prompt_tokens").asInt(), metrics);
        assertTrue(sample(metrics, "appliance_upstream_time_to_first_token_seconds_count{upstream=\"big\"}") >= 2,
                metrics);
    }

    @Test
    void grpcRequestsTakeTheSameRoute() throws Exception {
        var channel = NettyChannelBuilder.forAddress("127.0.0.1", edge.appliance.server().grpcPort()).usePlaintext()
                .build();
        try {
            var reply = DeepSeekServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)
                    .generate(GenerateRequest.newBuilder().setModel("big").setMaxTokens(3).setTemperature(0)
                            .setPrompt("over gRPC to the upstream").build());
            assertEquals("big", reply.getModel());
            var upstreamRequests = auditLines(upstream, "authorization", "Bearer " + ADMIN_KEY).stream()
                    .filter(l -> l.path("endpoint").asText().equals("/v1/completions")).count();
            assertTrue(upstreamRequests >= 1, "the upstream answered the gRPC call as a completion");
        } finally {
            channel.shutdownNow();
        }
    }

    @Test
    void theUpstreamsRefusalsAndFailuresBecomeTheAppliancesOwnErrors() throws Exception {
        // The upstream allows 64 tokens, the edge 8192: the upstream's 400 reaches the client with its field.
        var tooMany = edge.post("/v1/chat/completions",
                "{\"model\":\"big\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(400, tooMany.statusCode(), tooMany.body());
        var error = Harness.json(tooMany.body()).get("error");
        assertEquals("invalid_request_error", error.get("type").asText());
        assertEquals("max_tokens", error.get("param").asText());
        assertTrue(error.get("message").asText().contains("upstream 'big'"), error.toString());

        var locked = edge.post("/v1/chat/completions", chat("locked", "wrong key", ""));
        assertEquals(502, locked.statusCode(), locked.body());
        var lockedError = Harness.json(locked.body()).get("error");
        assertEquals("upstream_error", lockedError.get("code").asText());
        assertTrue(lockedError.get("message").asText().contains("credentials"), lockedError.toString());

        var logprobs = edge.post("/v1/chat/completions", chat("big", "logprobs", ",\"logprobs\":true"));
        assertEquals(400, logprobs.statusCode());
        assertEquals("logprobs", Harness.json(logprobs.body()).at("/error/param").asText());

        // Text is all the forwarding path carries: a schema or tools the upstream's answer would not be held to are
        // refused, not dropped.
        var schema = edge.post("/v1/chat/completions", chat("big", "json please",
                ",\"response_format\":{\"type\":\"json_object\"}"));
        assertEquals(400, schema.statusCode(), schema.body());
        assertEquals("response_format", Harness.json(schema.body()).at("/error/param").asText());
        var tools = edge.post("/v1/chat/completions", chat("big", "call it", ",\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"lookup\",\"parameters\":{\"type\":\"object\"}}}]"));
        assertEquals(400, tools.statusCode(), tools.body());
        assertEquals("tools", Harness.json(tools.body()).at("/error/param").asText());
    }

    @Test
    void anUnreachableUpstreamFallsBackThenOpensItsCircuit() throws Exception {
        for (int i = 0; i < 2; i++) {
            var res = edge.post("/v1/chat/completions", chat("gone", "fall back " + i, ""), "x-request-id", "gone-" + i);
            assertEquals(200, res.statusCode(), res.body());
            assertEquals(Harness.MODEL, Harness.json(res.body()).get("model").asText());
            var record = auditOf(edge, "gone-" + i);
            assertEquals("fallback", record.get("route").asText());
            assertEquals(Harness.MODEL, record.get("target").asText());
            assertEquals("upstream_failed", record.get("fallbackReason").asText());
        }
        var ready = Harness.json(edge.get("/health/ready").body());
        assertEquals("UP", ready.get("status").asText(), "a down upstream leaves the appliance ready");
        assertEquals("open", ready.at("/upstreams/gone").asText(), ready.toString());
        assertEquals("closed", ready.at("/upstreams/big").asText(), ready.toString());

        var shortCircuited = edge.post("/v1/chat/completions", chat("gone", "circuit open", ""), "x-request-id", "gone-2");
        assertEquals(200, shortCircuited.statusCode());
        assertEquals("circuit_open", auditOf(edge, "gone-2").get("fallbackReason").asText());

        var noFallback = edge.post("/v1/chat/completions", chat("gone", "no fallback", ",\"allow_fallback\":false"));
        assertEquals(503, noFallback.statusCode(), noFallback.body());
        assertTrue(noFallback.headers().firstValue("retry-after").isPresent());
        assertEquals("unavailable", Harness.json(noFallback.body()).at("/error/code").asText());

        var metrics = edge.get("/metrics").body();
        assertEquals(1, sample(metrics, "appliance_upstream_state{state=\"open\",upstream=\"gone\"}"), metrics);
        assertEquals(0, sample(metrics, "appliance_upstream_state{state=\"closed\",upstream=\"gone\"}"), metrics);
        assertEquals(2, sample(metrics, "appliance_upstream_requests_total{outcome=\"failed\",upstream=\"gone\"}"));
        assertEquals(2, sample(metrics,
                "appliance_upstream_requests_total{outcome=\"short_circuited\",upstream=\"gone\"}"));
        assertEquals(2, sample(metrics,
                "appliance_upstream_fallbacks_total{reason=\"upstream_failed\",upstream=\"gone\"}"));
        assertEquals(1, sample(metrics, "appliance_upstream_fallbacks_total{reason=\"circuit_open\",upstream=\"gone\"}"));
    }

    /** The value of one series in Prometheus text, or NaN when it is missing. */
    static double sample(String text, String series) {
        var m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(series) + " (\\S+)$")
                .matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Test
    void aLocalOnlyRequestForAnUpstreamIsAnsweredByItsFallbackOrRefused() throws Exception {
        var res = edge.post("/v1/chat/completions", chat("big", "stay here", ",\"local_only\":true"),
                "x-request-id", "local-only-1");
        assertEquals(200, res.statusCode(), res.body());
        var record = auditOf(edge, "local-only-1");
        assertEquals("fallback", record.get("route").asText());
        assertEquals("local_only", record.get("fallbackReason").asText());
        assertTrue(record.get("localOnly").asBoolean());
        assertTrue(auditLines(upstream, "authorization", "Bearer " + ADMIN_KEY).stream()
                .noneMatch(l -> l.path("requestId").asText().equals("local-only-1")), "never sent upstream");

        var refused = edge.post("/v1/chat/completions", chat("locked", "stay here", ",\"local_only\":true"));
        assertEquals(400, refused.statusCode(), refused.body());
        assertTrue(Harness.json(refused.body()).at("/error/message").asText().contains("local_only"));
    }

    @Test
    void anUpstreamThatSendsNothingTimesOutAndOneThatStallsMidAnswerEndsTheStreamWithAnError() throws Exception {
        var silentAnswer = edge.post("/v1/chat/completions", chat("silent", "anyone?", ""));
        assertEquals(504, silentAnswer.statusCode(), silentAnswer.body());
        var error = Harness.json(silentAnswer.body()).get("error");
        assertEquals("timeout", error.get("code").asText());
        assertTrue(error.get("message").asText().contains("first-token-timeout"), error.toString());

        // Text already went to the client, so the local fallback must not answer too: the stream ends with an error.
        var stalled = edge.post("/v1/chat/completions", chat("stalling", "go on", ",\"stream\":true"));
        assertEquals(200, stalled.statusCode());
        var data = new ArrayList<String>();
        for (var line : stalled.body().split("\n")) {
            if (line.startsWith("data: ")) {
                data.add(line.substring(6));
            }
        }
        assertEquals("Half an", Harness.json(data.getFirst()).at("/choices/0/delta/content").asText(), data.toString());
        var last = Harness.json(data.getLast()).get("error");
        assertEquals("timeout", last.get("code").asText(), data.toString());
        assertTrue(last.get("message").asText().contains("idle-timeout"), last.toString());
        assertFalse(data.contains("[DONE]"));
    }
}
