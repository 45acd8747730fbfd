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

    private static final Set<String> FINISH = Set.of("stop", "length", "tool_calls");

    private Schemas() {
    }

    static void chatCompletion(JsonNode body) {
        header(body, "chat.completion", "chatcmpl-");
        var choice = onlyChoice(body);
        var message = require(choice, "message", "object");
        assertEquals("assistant", message.get("role").asText());
        if (message.has("tool_calls")) {
            // A message that only calls tools has content null (OpenAI's shape).
            assertTrue(message.get("content").isNull() || message.get("content").isTextual(), "content: " + message);
            for (var call : require(message, "tool_calls", "array")) {
                assertTrue(require(call, "id", "string").asText().startsWith("call_"), "call id " + call);
                assertEquals("function", require(call, "type", "string").asText());
                var function = require(call, "function", "object");
                require(function, "name", "string");
                require(function, "arguments", "string");
            }
        } else {
            require(message, "content", "string");
        }
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
        delta.properties().forEach(e -> assertTrue(Set.of("role", "content", "reasoning_content", "tool_calls")
                .contains(e.getKey()), "unexpected delta field " + e.getKey()));
        if (delta.has("tool_calls")) {
            for (var call : require(delta, "tool_calls", "array")) {
                require(call, "index", "number");
                var function = require(call, "function", "object");
                require(function, "arguments", "string");
                if (call.has("id")) {
                    // A call's first piece: its id, type and function name.
                    assertTrue(require(call, "id", "string").asText().startsWith("call_"), "call id " + call);
                    assertEquals("function", require(call, "type", "string").asText());
                    require(function, "name", "string");
                }
            }
        }
        assertTrue(choice.has("logprobs"), "logprobs present (null unless asked for)");
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

    /**
     * Chat {@code choices[].logprobs} as OpenAI documents it: {@code content} an array of {token (string), logprob
     * (number, at most 0), bytes (array of integers 0..255, or null), top_logprobs (array of {token, logprob, bytes})},
     * and {@code refusal} (null here). Every entry has exactly {@code top} alternatives, most likely first.
     */
    static void chatLogprobs(JsonNode logprobs, int top) {
        assertTrue(logprobs.isObject(), "logprobs must be an object: " + logprobs);
        var content = require(logprobs, "content", "array");
        assertTrue(logprobs.has("refusal") && logprobs.get("refusal").isNull(), "refusal present and null");
        assertEquals(Set.of("content", "refusal"), fieldNames(logprobs));
        for (var entry : content) {
            chatToken(entry, Set.of("token", "logprob", "bytes", "top_logprobs"));
            var alternatives = require(entry, "top_logprobs", "array");
            assertEquals(top, alternatives.size(), "top_logprobs of " + entry);
            double previous = 0;
            for (var alternative : alternatives) {
                chatToken(alternative, Set.of("token", "logprob", "bytes"));
                assertTrue(alternative.get("logprob").asDouble() <= previous, "alternatives most likely first");
                previous = alternative.get("logprob").asDouble();
            }
        }
    }

    private static void chatToken(JsonNode entry, Set<String> fields) {
        assertEquals(fields, fieldNames(entry));
        require(entry, "token", "string");
        assertTrue(require(entry, "logprob", "number").asDouble() <= 0, "a log probability is at most 0");
        for (var b : require(entry, "bytes", "array")) {
            assertTrue(b.isInt() && b.asInt() >= 0 && b.asInt() <= 255, "bytes are integers 0..255: " + entry);
        }
    }

    /**
     * Completions {@code choices[].logprobs} as OpenAI documents it: parallel arrays {@code tokens} (strings),
     * {@code token_logprobs} (numbers), {@code top_logprobs} (objects token → logprob, up to top + 1 entries holding
     * the chosen token) and {@code text_offset} (non-decreasing integers).
     */
    static void completionLogprobs(JsonNode logprobs, int top) {
        assertTrue(logprobs.isObject(), "logprobs must be an object: " + logprobs);
        assertEquals(Set.of("tokens", "token_logprobs", "top_logprobs", "text_offset"), fieldNames(logprobs));
        var tokens = require(logprobs, "tokens", "array");
        var values = require(logprobs, "token_logprobs", "array");
        var tops = require(logprobs, "top_logprobs", "array");
        var offsets = require(logprobs, "text_offset", "array");
        assertEquals(tokens.size(), values.size());
        assertEquals(tokens.size(), tops.size());
        assertEquals(tokens.size(), offsets.size());
        int previous = 0;
        for (int i = 0; i < tokens.size(); i++) {
            assertTrue(tokens.get(i).isTextual());
            assertTrue(values.get(i).isNumber() && values.get(i).asDouble() <= 0);
            var alternatives = tops.get(i);
            assertTrue(alternatives.isObject() && alternatives.size() >= top && alternatives.size() <= top + 1,
                    "top_logprobs[" + i + "] " + alternatives);
            assertTrue(alternatives.has(tokens.get(i).asText()), "the chosen token is among its alternatives");
            alternatives.properties().forEach(e -> assertTrue(e.getValue().isNumber()));
            assertTrue(offsets.get(i).isInt() && offsets.get(i).asInt() >= previous, "text_offset non-decreasing");
            previous = offsets.get(i).asInt();
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        var names = new java.util.HashSet<String>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
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
