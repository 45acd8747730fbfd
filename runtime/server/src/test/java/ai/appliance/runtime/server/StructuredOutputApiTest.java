package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.testing.Fixtures;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Structured output and tool calls over REST, on the fixtures' tiny Qwen2 (random weights, DeepSeek-R1-Distill's
 * chat template): answers are checked with an independent JSON Schema validator (networknt), tool calls against
 * OpenAI's shapes, streamed and not.
 */
class StructuredOutputApiTest {
    private static final SchemaRegistry VALIDATORS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    /** A model whose chat template knows nothing of tools (the same weights, a plain template). */
    private static final String PLAIN = "plain-template";

    private static Harness harness;

    @BeforeAll
    static void start() throws Exception {
        var dir = Files.createTempDirectory("structured-output-test");
        var plain = Files.createDirectories(dir.resolve("plain"));
        // A link, not a copy: the fixture stays where it is; the template beside the link is the one the model gets.
        Files.createSymbolicLink(plain.resolve("model.gguf"),
                Fixtures.model("tiny-qwen2").resolve("tiny-qwen2-q8_0.gguf"));
        Files.writeString(plain.resolve("chat_template.jinja"),
                "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}assistant:");
        harness = Harness.start(dir, Map.of("models.1.name", PLAIN, "models.1.version", "v1",
                "models.1.path", plain.resolve("model.gguf").toString()));
    }

    @AfterAll
    static void stop() {
        harness.close();
    }

    static final String ORDER = """
            {"type": "object", "properties": {
              "id": {"type": "integer"},
              "status": {"enum": ["open", "paid", "shipped"]},
              "lines": {"type": "array", "minItems": 1, "maxItems": 2, "items": {"type": "object", "properties": {
                 "sku": {"type": "string", "maxLength": 6}, "quantity": {"type": "integer"}, "price": {"type": "number"}},
                 "required": ["sku", "quantity"], "additionalProperties": false}},
              "note": {"anyOf": [{"type": "string", "maxLength": 8}, {"type": "null"}]},
              "express": {"type": "boolean"}},
             "required": ["id", "status", "lines", "note"], "additionalProperties": false}""";
    static final String WEATHER = """
            {"type": "object", "properties": {"city": {"type": "string", "maxLength": 10},
              "unit": {"enum": ["celsius", "fahrenheit"]}, "days": {"type": "integer"}},
             "required": ["city", "unit"], "additionalProperties": false}""";

    private static String chat(String extra) {
        return "{\"model\":\"tiny-qwen2\",\"max_tokens\":400,\"messages\":[{\"role\":\"user\",\"content\":\"Order 7 as"
                + " JSON\"}]," + extra + "}";
    }

    private static String schemaFormat(String schema) {
        return "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"order\",\"strict\":true,"
                + "\"schema\":" + schema + "}}";
    }

    private static void assertValid(String schema, String json) {
        var errors = VALIDATORS.getSchema(schema, InputFormat.JSON).validate(json, InputFormat.JSON);
        assertTrue(errors.isEmpty(), json + " breaks the schema: " + errors);
    }

    private static JsonNode post(String body) throws Exception {
        var res = harness.post("/v1/chat/completions", body);
        assertEquals(200, res.statusCode(), res.body());
        var json = Harness.json(res.body());
        Schemas.chatCompletion(json);
        return json;
    }

    @Test
    void jsonSchemaAnswersValidateForEverySeed() throws Exception {
        for (int seed = 0; seed < 12; seed++) {
            var body = post(chat(schemaFormat(ORDER) + ",\"temperature\":1,\"seed\":" + seed));
            var message = body.at("/choices/0/message");
            assertEquals("stop", body.at("/choices/0/finish_reason").asText(), message.toString());
            assertValid(ORDER, message.get("content").asText());
            assertFalse(message.has("reasoning_content"), "the grammar answers at once, without reasoning");
        }
    }

    @Test
    void jsonObjectAnswersAreObjects() throws Exception {
        // Free-form keys and strings have no length bound, and a random-weight model may ramble in one until
        // max_tokens: such answers end with "length". Every answer that ends by itself must be an object.
        int objectsWithKeys = 0;
        for (int seed = 0; seed < 8; seed++) {
            var body = post(chat("\"response_format\":{\"type\":\"json_object\"},\"max_tokens\":900,\"temperature\":1,"
                    + "\"seed\":" + seed).replace("\"max_tokens\":400,", ""));
            var content = body.at("/choices/0/message/content").asText();
            assertTrue(content.startsWith("{"), content);
            if (body.at("/choices/0/finish_reason").asText().equals("stop")) {
                var object = Harness.json(content);
                assertTrue(object.isObject(), content);
                objectsWithKeys += object.isEmpty() ? 0 : 1;
            } else {
                assertEquals("length", body.at("/choices/0/finish_reason").asText());
            }
        }
        assertTrue(objectsWithKeys > 0, "some answers end by themselves with keys in them");
    }

    @Test
    void aStreamedJsonAnswerIsTheSameAsTheWholeOne() throws Exception {
        var request = chat(schemaFormat(ORDER) + ",\"temperature\":0.8,\"seed\":3");
        var whole = post(request).at("/choices/0/message/content").asText();
        var streamed = new StringBuilder();
        String finish = null;
        for (var event : Schemas.sseEvents(harness.post("/v1/chat/completions", "{\"stream\":true," + request.substring(1)).body())) {
            if (event.equals("[DONE]")) continue;
            var chunk = Harness.json(event);
            Schemas.chatChunk(chunk);
            streamed.append(chunk.at("/choices/0/delta/content").asText(""));
            if (chunk.at("/choices/0/finish_reason").isTextual()) finish = chunk.at("/choices/0/finish_reason").asText();
        }
        assertEquals(whole, streamed.toString());
        assertEquals("stop", finish);
        assertValid(ORDER, whole);
    }

    @Test
    void logprobsAndThePrefixCacheKeepWorkingUnderAMask() throws Exception {
        var system = "You are the order desk of a small shop. ".repeat(12);
        var request = "{\"model\":\"tiny-qwen2\",\"max_tokens\":400,\"temperature\":1,\"seed\":%d,\"logprobs\":true,"
                + "\"top_logprobs\":2," + schemaFormat(ORDER) + ",\"messages\":[{\"role\":\"system\",\"content\":\"" + system
                + "\"},{\"role\":\"user\",\"content\":\"Order %d\"}]}";
        var first = post(request.formatted(1, 1));
        var second = post(request.formatted(2, 2));
        assertTrue(second.at("/usage/prompt_tokens_details/cached_tokens").asInt() > 0, second.get("usage").toString());
        for (var body : List.of(first, second)) {
            assertValid(ORDER, body.at("/choices/0/message/content").asText());
            var entries = body.at("/choices/0/logprobs/content");
            assertEquals(body.at("/usage/completion_tokens").asInt(), entries.size());
            var spelled = new StringBuilder();
            for (var entry : entries) {
                assertTrue(entry.get("logprob").asDouble() <= 0);
                entry.get("bytes").forEach(b -> spelled.append((char) b.asInt()));
            }
            var content = body.at("/choices/0/message/content").asText();
            assertEquals(new String(content.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    java.nio.charset.StandardCharsets.ISO_8859_1), spelled.toString(), "the tokens spell the answer");
        }
    }

    @Test
    void maxTokensCutsAStructuredAnswerWithLength() throws Exception {
        var body = post(chat(schemaFormat(ORDER) + ",\"temperature\":1,\"seed\":1").replace("\"max_tokens\":400", "\"max_tokens\":3"));
        assertEquals("length", body.at("/choices/0/finish_reason").asText());
        assertTrue(body.at("/choices/0/message/content").asText().startsWith("{"));
    }

    @Test
    void schemaKeywordsThatCannotBeEnforcedAreRefusedBeforeGenerating() throws Exception {
        var res = harness.post("/v1/chat/completions", chat(schemaFormat(
                "{\"type\":\"object\",\"properties\":{\"zip\":{\"type\":\"string\",\"pattern\":\"^[0-9]{5}$\"}}}")));
        RestApiTest.assertError(res, 400, "invalid_request_error");
        var error = Harness.json(res.body()).get("error");
        assertEquals("response_format.json_schema.schema", error.get("param").asText());
        assertTrue(error.get("message").asText().contains("'pattern'"), error.toString());
        assertTrue(error.get("message").asText().contains("/properties/zip/pattern"), error.toString());
        var missing = harness.post("/v1/chat/completions", chat("\"response_format\":{\"type\":\"json_schema\"}"));
        assertEquals("response_format.json_schema", Harness.json(missing.body()).at("/error/param").asText());
    }

    private static String weatherTools(String choice) {
        return "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"description\":\"Weather now\","
                + "\"parameters\":" + WEATHER + "}},{\"type\":\"function\",\"function\":{\"name\":\"get_time\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"zone\":{\"enum\":[\"CET\",\"UTC\"]}},"
                + "\"required\":[\"zone\"]}}}],\"tool_choice\":" + choice;
    }

    @Test
    void aForcedFunctionIsCalledWithArgumentsValidUnderItsParameters() throws Exception {
        for (int seed = 0; seed < 6; seed++) {
            var body = post(chat(weatherTools("{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}")
                    + ",\"temperature\":1,\"seed\":" + seed));
            assertEquals("tool_calls", body.at("/choices/0/finish_reason").asText(), body.toString());
            var message = body.at("/choices/0/message");
            assertTrue(message.get("content").isNull(), "a call-only answer has no content: " + message);
            var calls = message.get("tool_calls");
            assertEquals(1, calls.size());
            assertEquals("get_weather", calls.get(0).at("/function/name").asText());
            assertValid(WEATHER, calls.get(0).at("/function/arguments").asText());
        }
    }

    @Test
    void requiredCallsStreamAsOpenAiDeltasAndAssembleToTheWholeAnswer() throws Exception {
        var request = chat(weatherTools("\"required\"") + ",\"parallel_tool_calls\":false,\"temperature\":1,\"seed\":4");
        var whole = post(request).at("/choices/0/message/tool_calls");
        assertEquals(1, whole.size(), "parallel_tool_calls false: one call");
        var names = new ArrayList<String>();
        var arguments = new ArrayList<StringBuilder>();
        String finish = null;
        for (var event : Schemas.sseEvents(harness.post("/v1/chat/completions", "{\"stream\":true," + request.substring(1)).body())) {
            if (event.equals("[DONE]")) continue;
            var chunk = Harness.json(event);
            Schemas.chatChunk(chunk);
            for (var piece : chunk.at("/choices/0/delta/tool_calls")) {
                int index = piece.get("index").asInt();
                if (piece.has("id")) {
                    assertEquals(names.size(), index);
                    names.add(piece.at("/function/name").asText());
                    arguments.add(new StringBuilder());
                }
                arguments.get(index).append(piece.at("/function/arguments").asText());
            }
            if (chunk.at("/choices/0/finish_reason").isTextual()) finish = chunk.at("/choices/0/finish_reason").asText();
        }
        assertEquals("tool_calls", finish);
        assertEquals(List.of(whole.get(0).at("/function/name").asText()), names);
        assertEquals(whole.get(0).at("/function/arguments").asText(), arguments.getFirst().toString());
        var schema = names.getFirst().equals("get_weather") ? WEATHER
                : "{\"type\":\"object\",\"properties\":{\"zone\":{\"enum\":[\"CET\",\"UTC\"]}},\"required\":[\"zone\"]}";
        assertValid(schema, arguments.getFirst().toString());
    }

    @Test
    void withToolsOfferedAndAJsonFormatTheAnswerIsValidJsonOrAValidCall() throws Exception {
        for (int seed = 0; seed < 8; seed++) {
            var body = post(chat(schemaFormat(WEATHER) + "," + weatherTools("\"auto\"")
                    + ",\"parallel_tool_calls\":false,\"temperature\":1,\"seed\":" + seed));
            var finish = body.at("/choices/0/finish_reason").asText();
            if (finish.equals("tool_calls")) {
                var call = body.at("/choices/0/message/tool_calls/0/function");
                var parameters = call.get("name").asText().equals("get_weather") ? WEATHER
                        : "{\"type\":\"object\",\"properties\":{\"zone\":{\"enum\":[\"CET\",\"UTC\"]}},\"required\":[\"zone\"]}";
                assertValid(parameters, call.get("arguments").asText());
            } else {
                assertEquals("stop", finish);
                assertValid(WEATHER, body.at("/choices/0/message/content").asText());
            }
        }
    }

    @Test
    void toolResultsGoBackThroughTheTemplate() throws Exception {
        var call = "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\",\\\"unit\\\":\\\"celsius\\\"}\"}}";
        var conversation = "{\"model\":\"tiny-qwen2\",\"max_tokens\":4,\"temperature\":0," + weatherTools("\"auto\"")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[" + call + "]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18 degrees\"}]}";
        var withResult = post(conversation);
        var without = post(conversation.replace(",{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18 degrees\"}", ""));
        assertTrue(withResult.at("/usage/prompt_tokens").asInt() > without.at("/usage/prompt_tokens").asInt(),
                "the tool's result is part of the prompt");
        var missingId = harness.post("/v1/chat/completions", conversation.replace("\"tool_call_id\":\"call_1\",", ""));
        RestApiTest.assertError(missingId, 400, "invalid_request_error");
        assertEquals("messages[2].tool_call_id", Harness.json(missingId.body()).at("/error/param").asText());
    }

    @Test
    void toolsAreRefusedForAModelWhoseTemplateCannotShowThem() throws Exception {
        var body = chat(weatherTools("\"auto\"")).replace("\"model\":\"tiny-qwen2\"", "\"model\":\"" + PLAIN + "\"");
        var res = harness.post("/v1/chat/completions", body);
        RestApiTest.assertError(res, 400, "invalid_request_error");
        assertEquals("tools", Harness.json(res.body()).at("/error/param").asText());
        assertTrue(res.body().contains(PLAIN), res.body());
        assertEquals(200, harness.post("/v1/chat/completions", body.replace("\"tool_choice\":\"auto\"",
                "\"tool_choice\":\"none\"")).statusCode(), "with tool_choice none the tools are not shown: accepted");
    }

    @Test
    void toolRequestsThatCannotBeHonouredAreRefusedNamingTheField() throws Exception {
        var refused = Map.of(
                chat(weatherTools("{\"type\":\"function\",\"function\":{\"name\":\"nope\"}}")), "tool_choice",
                chat("\"tools\":[{\"type\":\"web_search\"}]"), "tools[0]",
                chat("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"has space\"}}]"), "tools[0].function.name",
                chat(weatherTools("\"required\"").replace("\"maxLength\": 10", "\"format\": \"email\"")),
                "tools[0].function.parameters");
        for (var entry : refused.entrySet()) {
            var res = harness.post("/v1/chat/completions", entry.getKey());
            RestApiTest.assertError(res, 400, "invalid_request_error");
            assertEquals(entry.getValue(), Harness.json(res.body()).at("/error/param").asText(), res.body());
        }
    }

    @Test
    void completionsTakeAResponseFormatToo() throws Exception {
        var res = harness.post("/v1/completions", "{\"model\":\"tiny-qwen2\",\"prompt\":\"JSON:\",\"max_tokens\":400,"
                + "\"temperature\":1,\"seed\":2," + schemaFormat(WEATHER) + "}");
        assertEquals(200, res.statusCode(), res.body());
        var body = Harness.json(res.body());
        assertEquals("stop", body.at("/choices/0/finish_reason").asText());
        assertValid(WEATHER, body.at("/choices/0/text").asText());
    }
}
