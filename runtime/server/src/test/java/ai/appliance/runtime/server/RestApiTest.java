package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.chat.PromptFormat;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The REST front end over the real engine and the fixtures' tiny Qwen2 GGUF. */
class RestApiTest {

    private static Harness harness;

    @BeforeAll
    static void start() {
        harness = Harness.start(Map.of("model-folders.0", Fixtures.model("tiny-qwen2").toString()));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static String chat(String text, int maxTokens, boolean stream) {
        return "{\"model\":\"tiny-qwen2\",\"temperature\":0,\"max_tokens\":" + maxTokens + ",\"stream\":" + stream
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + text + "\"}]}";
    }

    @Test
    void chatCompletionHasOpenAiShapeAndUsage() throws Exception {
        var res = harness.post("/v1/chat/completions", chat("Hello there", 12, false));
        assertEquals(200, res.statusCode(), res.body());
        var body = Harness.json(res.body());
        Schemas.chatCompletion(body);
        assertEquals("tiny-qwen2", body.get("model").asText());
        var usage = body.get("usage");
        assertTrue(usage.get("prompt_tokens").asInt() > 3);
        assertTrue(usage.get("completion_tokens").asInt() >= 1 && usage.get("completion_tokens").asInt() <= 12);
        assertEquals(usage.get("prompt_tokens").asInt() + usage.get("completion_tokens").asInt(),
                usage.get("total_tokens").asInt());
    }

    @Test
    void greedyAnswersMatchTheEngineRunAloneEvenWhenBatchedTogether() throws Exception {
        var prompts = List.of("Hello there", "What is a transformer?", "Tell me about the sea", "1 2 3 4");
        var format = PromptFormat.load(Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf"));
        LanguageModel engine = harness.appliance.server().catalog().route("tiny-qwen2").model().engine();
        assertEquals(Harness.engineAnswers(engine, format, prompts, 16), harness.concurrentAnswers("tiny-qwen2", prompts, 16),
                "answers differ when batched");
    }

    @Test
    void streamingChatSendsChunksUsageAndDone() throws Exception {
        var body = "{\"model\":\"tiny-qwen2\",\"temperature\":0,\"max_tokens\":10,\"stream\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
        var res = harness.post("/v1/chat/completions", body);
        assertEquals(200, res.statusCode());
        assertTrue(res.headers().firstValue("content-type").orElse("").startsWith("text/event-stream"));
        var events = Schemas.sseEvents(res.body());
        assertEquals("[DONE]", events.getLast());
        var chunks = new ArrayList<JsonNode>();
        for (var e : events.subList(0, events.size() - 1)) {
            chunks.add(Harness.json(e));
        }
        chunks.forEach(Schemas::chatChunk);
        assertEquals("assistant", chunks.getFirst().at("/choices/0/delta/role").asText());
        var usageChunk = chunks.getLast();
        assertEquals(0, usageChunk.get("choices").size());
        var finish = chunks.get(chunks.size() - 2);
        assertTrue(Set.of("stop", "length").contains(finish.at("/choices/0/finish_reason").asText()));
        var text = new StringBuilder();
        for (var c : chunks) {
            text.append(c.at("/choices/0/delta/reasoning_content").asText("")).append(c.at("/choices/0/delta/content").asText(""));
        }
        var plain = Harness.json(harness.post("/v1/chat/completions", chat("Hi", 10, false)).body());
        var m = plain.at("/choices/0/message");
        assertEquals(m.path("reasoning_content").asText("") + m.get("content").asText(), text.toString(),
                "streamed text equals the non-streamed answer");
        assertEquals(plain.at("/usage/completion_tokens").asInt(), usageChunk.at("/usage/completion_tokens").asInt());
    }

    @Test
    void completionsEndpointReturnsTextCompletion() throws Exception {
        var res = harness.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":6,\"temperature\":0}");
        assertEquals(200, res.statusCode(), res.body());
        var body = Harness.json(res.body());
        Schemas.textCompletion(body);
        var stream = harness.post("/v1/completions", "{\"prompt\":\"Once upon a time\",\"max_tokens\":6,\"temperature\":0,\"stream\":true}");
        var events = Schemas.sseEvents(stream.body());
        var text = new StringBuilder();
        for (var e : events.subList(0, events.size() - 1)) {
            var chunk = Harness.json(e);
            Schemas.textCompletionChunk(chunk);
            text.append(chunk.at("/choices/0/text").asText());
        }
        assertEquals(body.at("/choices/0/text").asText(), text.toString());
    }

    @Test
    void modelsListsTheServedVersion() throws Exception {
        var res = harness.get("/v1/models");
        var body = Harness.json(res.body());
        Schemas.modelList(body);
        assertEquals("tiny-qwen2", body.at("/data/0/id").asText());
        assertEquals("q8_0", body.at("/data/0/version").asText());
        assertFalse(body.at("/data/0/demo").asBoolean());
    }

    @Test
    void badRequestsGetOpenAiErrorsWithTheRightStatus() throws Exception {
        assertError(harness.post("/v1/chat/completions", "{not json"), 400, "invalid_request_error");
        assertError(harness.post("/v1/chat/completions", "{\"messages\":[]}"), 400, "invalid_request_error");
        assertError(harness.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}"),
                400, "invalid_request_error");
        assertError(harness.post("/v1/chat/completions", chat("x", 5, false).replace("\"tiny-qwen2\"", "\"gpt-9\"")),
                404, "invalid_request_error");
        assertError(harness.post("/v1/chat/completions", chat("x", 5, false).replace("\"temperature\":0", "\"temperature\":7")),
                400, "invalid_request_error");
        assertError(harness.post("/v1/completions", "{\"prompt\":\"" + "word ".repeat(1500) + "\"}"), 400,
                "invalid_request_error");
        assertError(harness.get("/v1/nothing-here"), 404, "invalid_request_error");
        var tooLong = Harness.json(harness.post("/v1/completions", "{\"prompt\":\"" + "word ".repeat(1500) + "\"}").body());
        assertEquals("context_length_exceeded", tooLong.at("/error/code").asText());
    }

    @Test
    void loadingAServerFileOutsideTheModelFoldersGetsTheSameAnswerAsAMissingOne() throws Exception {
        var shadow = harness.post("/v1/models/x/load", "{\"path\":\"/etc/shadow\"}");
        var passwd = harness.post("/v1/models/x/load", "{\"path\":\"/etc/passwd\"}");
        var missing = harness.post("/v1/models/x/load", "{\"path\":\"/no/such/file.gguf\"}");
        assertError(shadow, 400, "invalid_request_error");
        assertEquals(missing.body(), shadow.body());
        assertEquals(missing.body(), passwd.body());
        assertFalse(passwd.body().contains("magic"), passwd.body());
        assertEquals("path", Harness.json(passwd.body()).at("/error/param").asText());
    }

    @Test
    void aStoreVersionFolderWhoseModelFileLinksOutIsRefusedLikeAMissingFile() throws Exception {
        var folder = java.nio.file.Files.createDirectories(harness.dir.resolve("store/models/x/versions/v1"));
        java.nio.file.Files.deleteIfExists(folder.resolve("model.gguf"));
        java.nio.file.Files.createSymbolicLink(folder.resolve("model.gguf"), java.nio.file.Path.of("/etc/passwd"));
        var linked = harness.post("/v1/models/x/load", "{\"path\":\"" + folder + "\"}");
        var missing = harness.post("/v1/models/x/load", "{\"path\":\"/no/such/file.gguf\"}");
        assertError(linked, 400, "invalid_request_error");
        assertEquals(missing.body(), linked.body());
    }

    @Test
    void aModelInAConfiguredModelFolderLoadsBesideTheServedOne() throws Exception {
        var res = harness.post("/v1/models/tiny-f32/load", "{\"path\":\"tiny-qwen2-f32.gguf\",\"version\":\"f32\"}");
        assertEquals(200, res.statusCode(), res.body());
        assertTrue(res.body().contains("\"tiny-f32\""), res.body());
    }

    @Test
    void malformedManagementBodiesAreDescribedWithoutParserInternals() throws Exception {
        var res = harness.post("/v1/models/tiny-qwen2/switch", "{\"version\": ");
        assertError(res, 400, "invalid_request_error");
        var message = Harness.json(res.body()).at("/error/message").asText();
        assertTrue(message.startsWith("the request body ends before the JSON is complete"), message);
        assertFalse(message.contains("Feature") || message.contains("Source"), message);
    }

    @Test
    void aRequestWhoseKvCacheCouldNeverFitIsRefusedNamingMaxTokens() throws Exception {
        var small = Harness.start(Map.of("scheduler.kv-cache-bytes", "1"));
        try {
            var res = small.post("/v1/chat/completions", chat("hello", 64, false));
            assertError(res, 400, "invalid_request_error");
            var error = Harness.json(res.body()).get("error");
            assertEquals("max_tokens", error.get("param").asText());
            assertTrue(error.get("message").asText().endsWith("lower max_tokens"), res.body());
        } finally {
            small.close();
        }
    }

    @Test
    void aBodyOverThePayloadLimitGetsA413InOpenAisErrorShape() throws Exception {
        // Helidon refuses it from its Content-Length, before routing; its default reply has no body. The request
        // goes out as headers only: a client still sending a body when the server answers and closes may see
        // the connection reset before the answer.
        try (var socket = new java.net.Socket(harness.base.getHost(), harness.base.getPort())) {
            socket.setSoTimeout(10_000); // the server closes after refusing; fail rather than hang if it does not
            var request = "POST /v1/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 2000000\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            var response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(response.startsWith("HTTP/1.1 413 "), response);
            var body = Harness.json(response.substring(response.indexOf("\r\n\r\n") + 4));
            Schemas.error(body);
            assertEquals("invalid_request_error", body.at("/error/type").asText());
            assertEquals("payload_too_large", body.at("/error/code").asText());
            assertTrue(body.at("/error/message").asText().contains("server.max-payload-bytes"), response);
        }
    }

    @Test
    void healthAndMetricsReportTheServer() throws Exception {
        assertEquals(200, harness.get("/health/live").statusCode());
        var ready = harness.get("/health/ready");
        assertEquals(200, ready.statusCode(), ready.body());
        harness.post("/v1/chat/completions", chat("metrics please", 4, false));
        var metrics = harness.get("/metrics").body();
        for (var name : List.of("appliance_requests_total{frontend=\"rest\",status=\"200\"}",
                "appliance_time_to_first_token_seconds_bucket", "appliance_time_per_output_token_seconds_bucket",
                "appliance_queue_wait_seconds_bucket", "appliance_prompt_tokens_total",
                "appliance_generated_tokens_total", "appliance_queue_requests", "appliance_running_sequences",
                "appliance_kv_cache_positions", "appliance_model_load_seconds", "appliance_kv_cache_budget_bytes",
                "appliance_kv_cache_reserved_bytes", "appliance_kv_cache_usage_ratio", "appliance_mqtt_connected",
                "appliance_model_info{demo=\"false\",model=\"tiny-qwen2\",version=\"q8_0\"}",
                "appliance_model_traffic_ratio", "appliance_process_resident_memory_bytes", "jvm_memory_used_bytes")) {
            assertTrue(metrics.contains(name), "metrics lack " + name);
        }
    }

    static void assertError(java.net.http.HttpResponse<String> res, int status, String type) throws Exception {
        assertEquals(status, res.statusCode(), res.body());
        var body = Harness.json(res.body());
        Schemas.error(body);
        assertEquals(type, body.at("/error/type").asText());
    }
}
