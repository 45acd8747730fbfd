package ai.appliance.runtime.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Checks responses against OpenAI's published schemas (required fields and their types). */
final class Schemas {

    private static final Set<String> FINISH = Set.of("stop", "length");

    private Schemas() {
    }

    static void chatCompletion(JsonNode body) {
        header(body, "chat.completion", "chatcmpl-");
        var choice = onlyChoice(body);
        var message = require(choice, "message", "object");
        assertEquals("assistant", message.get("role").asText());
        require(message, "content", "string");
        if (message.has("reasoning_content")) {
            require(message, "reasoning_content", "string");
        }
        assertTrue(FINISH.contains(require(choice, "finish_reason", "string").asText()));
        usage(body);
    }

    static void chatChunk(JsonNode body) {
        header(body, "chat.completion.chunk", "chatcmpl-");
        var choices = require(body, "choices", "array");
        if (choices.isEmpty()) {
            usage(body);
            return;
        }
        var choice = choices.get(0);
        assertEquals(0, choice.get("index").asInt());
        var delta = require(choice, "delta", "object");
        delta.properties().forEach(e -> assertTrue(Set.of("role", "content", "reasoning_content").contains(e.getKey()),
                "unexpected delta field " + e.getKey()));
        var finish = choice.get("finish_reason");
        assertTrue(finish.isNull() || FINISH.contains(finish.asText()));
    }

    static void textCompletion(JsonNode body) {
        header(body, "text_completion", "cmpl-");
        var choice = onlyChoice(body);
        require(choice, "text", "string");
        assertTrue(FINISH.contains(require(choice, "finish_reason", "string").asText()));
        usage(body);
    }

    static void textCompletionChunk(JsonNode body) {
        header(body, "text_completion", "cmpl-");
        var choice = onlyChoice(body);
        require(choice, "text", "string");
        var finish = choice.get("finish_reason");
        assertTrue(finish.isNull() || FINISH.contains(finish.asText()));
    }

    static void modelList(JsonNode body) {
        assertEquals("list", body.get("object").asText());
        for (var m : require(body, "data", "array")) {
            require(m, "id", "string");
            assertEquals("model", m.get("object").asText());
            require(m, "created", "number");
            require(m, "owned_by", "string");
        }
    }

    static void error(JsonNode body) {
        var error = require(body, "error", "object");
        require(error, "message", "string");
        require(error, "type", "string");
        assertTrue(error.has("param"), "error.param present (may be null)");
        require(error, "code", "string");
        assertTrue(!error.get("message").asText().contains("\tat "), "no stack trace in errors");
    }

    /** The data payloads of a server-sent event stream, in order. */
    static List<String> sseEvents(String body) {
        var out = new ArrayList<String>();
        for (var block : body.split("\n\n")) {
            for (var line : block.split("\n")) {
                if (line.startsWith("data: ")) {
                    out.add(line.substring(6));
                } else if (!line.isBlank() && !line.startsWith(":")) {
                    fail("not an SSE line: " + line);
                }
            }
        }
        return out;
    }

    private static void header(JsonNode body, String object, String idPrefix) {
        assertTrue(require(body, "id", "string").asText().startsWith(idPrefix));
        assertEquals(object, require(body, "object", "string").asText());
        require(body, "created", "number");
        require(body, "model", "string");
    }

    private static JsonNode onlyChoice(JsonNode body) {
        var choices = require(body, "choices", "array");
        assertEquals(1, choices.size());
        assertEquals(0, choices.get(0).get("index").asInt());
        return choices.get(0);
    }

    private static void usage(JsonNode body) {
        var usage = require(body, "usage", "object");
        for (var f : List.of("prompt_tokens", "completion_tokens", "total_tokens")) {
            assertTrue(require(usage, f, "number").asInt() >= 0);
        }
    }

    private static JsonNode require(JsonNode node, String field, String type) {
        var value = node.get(field);
        if (value == null) {
            fail("missing field " + field + " in " + node);
        }
        boolean ok = switch (type) {
            case "string" -> value.isTextual();
            case "number" -> value.isNumber();
            case "object" -> value.isObject();
            case "array" -> value.isArray();
            default -> false;
        };
        assertTrue(ok, field + " must be a " + type + " in " + node);
        return value;
    }
}
