package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.models.EngineModel;
import ai.appliance.runtime.tokenizer.Tokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Log probabilities over REST on the fixture Qwen2 (Q8_0): log-softmax of the served model's raw logits, in OpenAI's
 * chat and completions shapes, the same whether streamed chunk by chunk or returned at once. (That they equal
 * log-softmax of transformers' reference logits is {@code EngineModelLogprobsTest}: the reference prompts start with a
 * BOS token, which a raw completion prompt cannot carry.)
 */
class LogprobsApiTest {
    /** Same computation, but the JIT may have compiled the kernels differently in between (seen: up to 1.3e-5). */
    private static final double SAME = 1e-4;
    private static Harness harness;
    private static Tokenizer tokenizer;

    @BeforeAll
    static void start() {
        harness = Harness.start(Map.of());
        tokenizer = ((EngineModel) harness.appliance.server().catalog().route(Harness.MODEL).model()).tokenizer();
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    private static double[] logSoftmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        var out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) out[i] = logits[i] - max - Math.log(sum);
        return out;
    }

    /** Each token's text as the API writes it, to find the id behind a top_logprobs key. */
    private static Map<String, Integer> idsByText() {
        var ids = new HashMap<String, Integer>();
        for (int id = 0; id < tokenizer.vocabularySize(); id++) {
            var bytes = tokenizer.tokenBytes(id);
            var text = new String(bytes, StandardCharsets.UTF_8);
            if (!Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)) {
                var escaped = new StringBuilder("bytes:");
                for (byte v : bytes) escaped.append(String.format("\\x%02x", v & 0xff));
                text = escaped.toString();
            }
            ids.putIfAbsent(text, id);
        }
        return ids;
    }

    /** The model's raw logits after {@code prompt}, computed by the served engine directly. */
    private static float[] rawLogits(int[] prompt) {
        var engine = harness.appliance.server().catalog().route(Harness.MODEL).model().engine();
        try (var sequence = engine.newSequence(prompt.length + 1)) {
            return engine.forward(java.util.List.of(sequence), java.util.List.of(prompt))[0].clone();
        }
    }

    /**
     * The value at each position is log-softmax of the model's raw logits, whatever the temperature: at 1.5 the drawn
     * token may not be the likeliest, and its logprob is still the model's, not the tempered one.
     */
    @Test
    void completionLogprobsAreLogSoftmaxOfTheRawLogitsAtAnyTemperature() throws Exception {
        var ids = idsByText();
        for (var text : new String[] {"Once upon a time", "def route_request(request_id):", "The sea"}) {
            var prompt = tokenizer.encode(text, false);
            var expected = logSoftmax(rawLogits(prompt));
            for (double temperature : new double[] {0, 1.5}) {
                var request = Harness.JSON.createObjectNode().put("prompt", text).put("max_tokens", 1)
                        .put("temperature", temperature).put("seed", 11).put("logprobs", 5);
                var res = harness.post("/v1/completions", request.toString());
                assertEquals(200, res.statusCode(), res.body());
                var body = Harness.json(res.body());
                assertEquals(prompt.length, body.at("/usage/prompt_tokens").asInt(), "the server runs these tokens");
                var logprobs = body.at("/choices/0/logprobs");
                Schemas.completionLogprobs(logprobs, 5);
                var chosen = ids.get(logprobs.at("/tokens/0").asText());
                assertTrue(chosen != null, "the token names a vocabulary entry: " + logprobs);
                assertEquals(expected[chosen], logprobs.at("/token_logprobs/0").asDouble(), SAME, text + " at " + temperature);
                var sorted = expected.clone();
                Arrays.sort(sorted);
                double sixth = sorted[sorted.length - 6];
                logprobs.at("/top_logprobs/0").properties().forEach(e -> {
                    var id = ids.get(e.getKey());
                    assertTrue(id != null, "token text " + e.getKey() + " names a vocabulary entry");
                    assertEquals(expected[id], e.getValue().asDouble(), SAME, "alternative " + e.getKey());
                    if (id.intValue() != chosen.intValue()) {
                        assertTrue(e.getValue().asDouble() > sixth - SAME, e.getKey() + " is among the 5 likeliest");
                    }
                });
            }
        }
    }

    @Test
    void chatLogprobsHaveOpenAisShapeAndSpellTheGeneratedText() throws Exception {
        var res = harness.post("/v1/chat/completions", "{\"temperature\":0,\"max_tokens\":12,\"logprobs\":true,"
                + "\"top_logprobs\":3,\"messages\":[{\"role\":\"user\",\"content\":\"Tell me about the sea\"}]}");
        assertEquals(200, res.statusCode(), res.body());
        var body = Harness.json(res.body());
        Schemas.chatCompletion(body);
        var logprobs = body.at("/choices/0/logprobs");
        Schemas.chatLogprobs(logprobs, 3);
        assertEquals(body.at("/usage/completion_tokens").asInt(), logprobs.get("content").size(), "one entry per token");
        var bytes = new java.io.ByteArrayOutputStream();
        for (var entry : logprobs.get("content")) {
            for (var b : entry.get("bytes")) bytes.write(b.asInt());
            assertEquals(entry.at("/top_logprobs/0/logprob").asDouble(), entry.get("logprob").asDouble(), 1e-12,
                    "greedy: the chosen token is the likeliest");
        }
        var message = body.at("/choices/0/message");
        assertEquals(message.path("reasoning_content").asText("") + message.get("content").asText(),
                bytes.toString(StandardCharsets.UTF_8), "the tokens' bytes spell the answer");
    }

    @Test
    void withoutLogprobsTheFieldIsNull() throws Exception {
        var res = harness.post("/v1/chat/completions",
                "{\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertTrue(Harness.json(res.body()).at("/choices/0/logprobs").isNull(), res.body());
        var text = harness.post("/v1/completions", "{\"max_tokens\":2,\"prompt\":\"Hi\"}");
        assertTrue(Harness.json(text.body()).at("/choices/0/logprobs").isNull(), text.body());
    }

    @Test
    void streamedChatLogprobsEqualTheWholeAnswers() throws Exception {
        var request = "\"temperature\":0,\"max_tokens\":10,\"logprobs\":true,\"top_logprobs\":2,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"What is a transformer?\"}]}";
        var whole = Harness.json(harness.post("/v1/chat/completions", "{" + request).body()).at("/choices/0/logprobs/content");
        var streamed = Harness.JSON.createArrayNode();
        for (var event : Schemas.sseEvents(harness.post("/v1/chat/completions", "{\"stream\":true," + request).body())) {
            if (event.equals("[DONE]")) continue;
            var chunk = Harness.json(event);
            Schemas.chatChunk(chunk);
            var logprobs = chunk.at("/choices/0/logprobs");
            if (!logprobs.isMissingNode() && !logprobs.isNull()) {
                Schemas.chatLogprobs(logprobs, 2);
                streamed.addAll((ArrayNode) logprobs.get("content"));
            }
        }
        assertTrue(whole.size() > 0, "tokens were generated");
        assertSameLogprobs(whole, streamed);
    }

    @Test
    void streamedCompletionLogprobsEqualTheWholeAnswersOffsetsIncluded() throws Exception {
        var request = "\"temperature\":0,\"max_tokens\":10,\"logprobs\":2,\"prompt\":\"Once upon a time\"}";
        var whole = Harness.json(harness.post("/v1/completions", "{" + request).body()).at("/choices/0/logprobs");
        Schemas.completionLogprobs(whole, 2);
        var streamed = Harness.JSON.createObjectNode();
        for (var field : new String[] {"tokens", "token_logprobs", "top_logprobs", "text_offset"}) streamed.putArray(field);
        for (var event : Schemas.sseEvents(harness.post("/v1/completions", "{\"stream\":true," + request).body())) {
            if (event.equals("[DONE]")) continue;
            JsonNode logprobs = Harness.json(event).at("/choices/0/logprobs");
            if (logprobs.isMissingNode() || logprobs.isNull()) continue;
            Schemas.completionLogprobs(logprobs, 2);
            logprobs.properties().forEach(e -> ((ArrayNode) streamed.get(e.getKey())).addAll((ArrayNode) e.getValue()));
        }
        assertTrue(whole.get("tokens").size() > 0, "tokens were generated");
        assertSameLogprobs(whole, streamed);
        int at = 0;
        for (int i = 0; i < whole.get("tokens").size(); i++) {
            assertEquals(at, whole.at("/text_offset/" + i).asInt(), "offset of token " + i);
            at += charactersStarted(whole.at("/tokens/" + i).asText());
        }
    }

    /**
     * The same JSON, numbers within {@link #SAME}: the two requests ran the same forward passes, perhaps through
     * differently compiled kernels.
     */
    private static void assertSameLogprobs(JsonNode expected, JsonNode actual) {
        assertEquals(expected.getNodeType(), actual.getNodeType(), expected + " vs " + actual);
        if (expected.isNumber() && expected.isFloatingPointNumber()) {
            assertEquals(expected.asDouble(), actual.asDouble(), SAME, "logprob");
        } else if (expected.isContainerNode()) {
            assertEquals(expected.size(), actual.size(), expected + " vs " + actual);
            if (expected.isArray()) {
                for (int i = 0; i < expected.size(); i++) assertSameLogprobs(expected.get(i), actual.get(i));
            } else {
                expected.properties().forEach(e -> {
                    assertTrue(actual.has(e.getKey()), "missing " + e.getKey() + " in " + actual);
                    assertSameLogprobs(e.getValue(), actual.get(e.getKey()));
                });
            }
        } else {
            assertEquals(expected, actual);
        }
    }

    /** UTF-16 characters a token starts: its text's length, or for a {@code bytes:\xNN…} token its UTF-8 lead bytes. */
    private static int charactersStarted(String token) {
        if (!token.startsWith("bytes:")) return token.length();
        int chars = 0;
        for (var hex : token.substring("bytes:\\x".length()).split("\\\\x")) {
            int v = Integer.parseInt(hex, 16);
            if ((v & 0xc0) != 0x80) chars += v >= 0xf0 ? 2 : 1;
        }
        return chars;
    }

    /**
     * A second conversation turn repeats the first turn's prompt: its blocks come from the prefix cache
     * ({@code cached_tokens}), the answer is the one computed without the cache, and /metrics counts the reuse.
     */
    @Test
    void aRepeatedPrefixIsReusedAndReportedInUsageAndMetrics() throws Exception {
        var system = "You are a careful assistant who answers questions about lighthouses. ".repeat(12);
        var body = "{\"temperature\":0,\"max_tokens\":6,\"logprobs\":true,\"messages\":[{\"role\":\"system\","
                + "\"content\":\"" + system + "\"},{\"role\":\"user\",\"content\":\"USER\"}]}";
        var first = Harness.json(harness.post("/v1/chat/completions", body.replace("USER", "Why a lens?")).body());
        var second = Harness.json(harness.post("/v1/chat/completions", body.replace("USER", "Why a lens?")).body());
        assertTrue(first.at("/usage/prompt_tokens").asInt() > 64, first.toString());
        int cached = second.at("/usage/prompt_tokens_details/cached_tokens").asInt();
        assertTrue(cached >= first.at("/usage/prompt_tokens").asInt() - 32 && cached % 32 == 0,
                "all full blocks but the one holding the last prompt token: " + second.at("/usage"));
        assertEquals(first.at("/choices/0/message"), second.at("/choices/0/message"));
        assertSameLogprobs(first.at("/choices/0/logprobs"), second.at("/choices/0/logprobs"));
        var metrics = harness.get("/metrics").body();
        assertTrue(metrics.contains("appliance_prefix_cache_hits_total"), metrics);
        assertTrue(!metrics.contains("appliance_prefix_cache_reused_tokens_total 0.0"), "tokens were reused: " + metrics);
    }

    @Test
    void requestsThatCannotBeHonouredAreRefusedNamingTheField() throws Exception {
        var chat = "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":2";
        var refused = Map.ofEntries(
                Map.entry("{\"top_logprobs\":2," + chat + "}", "top_logprobs"),
                Map.entry("{\"logprobs\":true,\"top_logprobs\":21," + chat + "}", "top_logprobs"),
                Map.entry("{\"logprobs\":3," + chat + "}", "logprobs"),
                Map.entry("{\"n\":2," + chat + "}", "n"),
                Map.entry("{\"functions\":[{\"name\":\"f\"}]," + chat + "}", "functions"),
                Map.entry("{\"tool_choice\":\"required\"," + chat + "}", "tool_choice"),
                Map.entry("{\"response_format\":{\"type\":\"xml\"}," + chat + "}", "response_format.type"),
                Map.entry("{\"logit_bias\":{\"5\":10}," + chat + "}", "logit_bias"),
                Map.entry("{\"modalities\":[\"text\",\"audio\"]," + chat + "}", "modalities"),
                Map.entry("{\"presence_penalty\":3," + chat + "}", "presence_penalty"));
        for (var entry : refused.entrySet()) {
            var res = harness.post("/v1/chat/completions", entry.getKey());
            RestApiTest.assertError(res, 400, "invalid_request_error");
            assertEquals(entry.getValue(), Harness.json(res.body()).at("/error/param").asText(), entry.getKey());
        }
        var completion = "\"prompt\":\"Hi\",\"max_tokens\":2";
        var refusedCompletions = Map.of(
                "{\"logprobs\":6," + completion + "}", "logprobs",
                "{\"logprobs\":true," + completion + "}", "logprobs",
                "{\"echo\":true," + completion + "}", "echo",
                "{\"best_of\":3," + completion + "}", "best_of",
                "{\"suffix\":\"end\"," + completion + "}", "suffix");
        for (var entry : refusedCompletions.entrySet()) {
            var res = harness.post("/v1/completions", entry.getKey());
            RestApiTest.assertError(res, 400, "invalid_request_error");
            assertEquals(entry.getValue(), Harness.json(res.body()).at("/error/param").asText(), entry.getKey());
        }
        for (var accepted : new String[] {"{\"n\":1,\"tool_choice\":\"none\",\"response_format\":{\"type\":\"text\"},"
                + "\"tools\":[],\"user\":\"u-1\",\"presence_penalty\":0.5,\"frequency_penalty\":0.5," + chat + "}"}) {
            assertEquals(200, harness.post("/v1/chat/completions", accepted).statusCode(), accepted);
        }
        assertEquals(200, harness.post("/v1/completions",
                "{\"echo\":false,\"best_of\":1,\"suffix\":\"\"," + completion + "}").statusCode());
    }
}
