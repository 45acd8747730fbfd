package ai.appliance.runtime.openai;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.sampling.LogProbabilities;
import ai.appliance.runtime.serving.ChatMessage;
import ai.appliance.runtime.serving.InferenceRequest;
import ai.appliance.runtime.serving.RoutingHints;
import ai.appliance.runtime.serving.SamplingParams;
import ai.appliance.runtime.serving.ToolUse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads OpenAI {@code /v1/chat/completions} and {@code /v1/completions} request bodies into an
 * {@link InferenceRequest}, rejecting what the appliance cannot honour with a message naming the field.
 */
public final class OpenAiRequests {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");

    private final ObjectMapper json;
    private final int defaultMaxTokens;
    private final int maxMaxTokens;

    /**
     * @param defaultMaxTokens used when the request names no max_tokens
     * @param maxMaxTokens     the largest max_tokens accepted
     */
    public OpenAiRequests(ObjectMapper json, int defaultMaxTokens, int maxMaxTokens) {
        this.json = json;
        this.defaultMaxTokens = defaultMaxTokens;
        this.maxMaxTokens = maxMaxTokens;
    }

    public InferenceRequest parse(byte[] body, InferenceRequest.Kind kind) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw JsonBodyErrors.notJson("the request body", e);
        } catch (java.io.IOException e) {
            throw ApiException.invalid(null, "the request body could not be read");
        }
        return parse(root, kind);
    }

    public InferenceRequest parse(JsonNode root, InferenceRequest.Kind kind) {
        if (root == null || !root.isObject()) {
            throw ApiException.invalid(null, "the request body must be a JSON object");
        }
        String model = optionalText(root, "model");
        List<ChatMessage> messages = List.of();
        String prompt = null;
        if (kind == InferenceRequest.Kind.CHAT) {
            messages = messages(root.get("messages"));
        } else {
            prompt = prompt(root.get("prompt"));
        }
        var n = root.get("n");
        if (n != null && !n.isNull() && !(n.isIntegralNumber() && n.asLong() == 1)) {
            throw ApiException.invalid("n", "only n=1 is supported (one choice per request)");
        }
        UnsupportedFields.refuse(root, kind);
        int maxTokens = root.hasNonNull("max_completion_tokens")
                ? intField(root, "max_completion_tokens", defaultMaxTokens, 1, maxMaxTokens)
                : intField(root, "max_tokens", defaultMaxTokens, 1, maxMaxTokens);
        double temperature = number(root, "temperature", SamplingParams.DEFAULT.temperature(), 0, 2);
        double topP = number(root, "top_p", SamplingParams.DEFAULT.topP(), 0, 1);
        if (topP == 0) {
            throw ApiException.invalid("top_p", "top_p must be greater than 0");
        }
        int topK = intField(root, "top_k", 0, 0, 1_000_000);
        double presencePenalty = number(root, "presence_penalty", 0, -2, 2);
        double frequencyPenalty = number(root, "frequency_penalty", 0, -2, 2);
        Integer topLogprobs = kind == InferenceRequest.Kind.CHAT ? chatLogprobs(root) : completionLogprobs(root);
        Long seed = root.hasNonNull("seed") ? Long.valueOf(intLike(root.get("seed"), "seed")) : null;
        boolean stream = bool(root, "stream");
        boolean includeUsage = false;
        var options = root.get("stream_options");
        if (options != null && !options.isNull()) {
            if (!options.isObject()) {
                throw ApiException.invalid("stream_options", "stream_options must be an object");
            }
            includeUsage = bool(options, "include_usage");
        }
        var responseFormat = OpenAiResponseFormat.parse(root.get("response_format"));
        var tools = kind == InferenceRequest.Kind.CHAT
                ? OpenAiTools.parse(root.get("tools"), root.get("tool_choice"), root.get("parallel_tool_calls"))
                : ToolUse.NONE;
        return new InferenceRequest(kind, model, messages, prompt,
                new SamplingParams(temperature, topP, topK, seed, presencePenalty, frequencyPenalty),
                maxTokens, stop(root.get("stop")), stream, includeUsage, topLogprobs, routing(root), responseFormat, tools);
    }

    /** The appliance's extension fields for hybrid routing: {@code local_only}, {@code allow_fallback}. */
    private static RoutingHints routing(JsonNode root) {
        boolean allowFallback = !root.hasNonNull("allow_fallback") || bool(root, "allow_fallback");
        return new RoutingHints(bool(root, "local_only"), allowFallback);
    }

    /** Chat: {@code logprobs} (boolean) switches them on, {@code top_logprobs} (0..20) asks for alternatives. */
    private static Integer chatLogprobs(JsonNode root) {
        boolean on = bool(root, "logprobs");
        var top = root.get("top_logprobs");
        if (top != null && !top.isNull()) {
            int count = intField(root, "top_logprobs", 0, 0, LogProbabilities.MAX_TOP);
            if (!on) {
                throw ApiException.invalid("top_logprobs", "top_logprobs needs logprobs: true");
            }
            return count;
        }
        return on ? 0 : null;
    }

    /** Completions: {@code logprobs} is the number of alternatives (0..5, OpenAI's limit), null for none. */
    private static Integer completionLogprobs(JsonNode root) {
        var node = root.get("logprobs");
        if (node == null || node.isNull()) {
            return null;
        }
        return intField(root, "logprobs", 0, 0, 5);
    }

    private static List<ChatMessage> messages(JsonNode node) {
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw ApiException.invalid("messages", "messages must be a non-empty array of {role, content}");
        }
        var out = new ArrayList<ChatMessage>();
        for (int i = 0; i < node.size(); i++) {
            var m = node.get(i);
            String where = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiException.invalid(where, where + " must be an object");
            }
            var role = m.get("role");
            if (role == null || !role.isTextual() || !ROLES.contains(role.asText())) {
                throw ApiException.invalid(where + ".role", where + ".role must be one of " + ROLES);
            }
            var calls = OpenAiTools.calls(m.get("tool_calls"), where + ".tool_calls");
            if (!calls.isEmpty() && !role.asText().equals("assistant")) {
                throw ApiException.invalid(where + ".tool_calls", "only assistant messages carry tool_calls");
            }
            String toolCallId = null;
            if (role.asText().equals("tool")) {
                var id = m.get("tool_call_id");
                if (id == null || !id.isTextual()) {
                    throw ApiException.invalid(where + ".tool_call_id", where + ".tool_call_id must name the call this"
                            + " tool message answers");
                }
                toolCallId = id.asText();
            }
            // An assistant turn that only called tools has no content, which templates tell by content being none.
            var contentNode = m.get("content");
            String content = !calls.isEmpty() && (contentNode == null || contentNode.isNull())
                    ? null : content(contentNode, where + ".content");
            out.add(new ChatMessage(role.asText(), content, calls, toolCallId));
        }
        return out;
    }

    /** Content is a string, or an array of parts of which only text parts are supported. */
    private static String content(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return "";
        }
        if (node.isTextual()) {
            return node.asText();
        }
        if (node.isArray()) {
            var sb = new StringBuilder();
            for (var part : node) {
                var type = part.path("type").asText("");
                if (!type.equals("text") || !part.path("text").isTextual()) {
                    throw ApiException.invalid(where, where + ": only text parts ({\"type\":\"text\",\"text\":...}) "
                            + "are supported, got type '" + type + "'");
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw ApiException.invalid(where, where + " must be a string or an array of text parts");
    }

    private static String prompt(JsonNode node) {
        if (node != null && node.isTextual()) {
            return node.asText();
        }
        if (node != null && node.isArray() && node.size() == 1 && node.get(0).isTextual()) {
            return node.get(0).asText();
        }
        throw ApiException.invalid("prompt", "prompt must be a string (or an array holding one string)");
    }

    private static List<String> stop(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        var out = new ArrayList<String>();
        if (node.isTextual()) {
            out.add(node.asText());
        } else if (node.isArray() && node.size() <= 4) {
            for (var s : node) {
                if (!s.isTextual() || s.asText().isEmpty()) {
                    throw ApiException.invalid("stop", "stop must hold non-empty strings");
                }
                out.add(s.asText());
            }
        } else {
            throw ApiException.invalid("stop", "stop must be a string or an array of up to 4 strings");
        }
        return out;
    }

    private static String optionalText(JsonNode root, String field) {
        var node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.invalid(field, field + " must be a string");
        }
        return node.asText();
    }

    private static boolean bool(JsonNode root, String field) {
        var node = root.get(field);
        if (node == null || node.isNull()) {
            return false;
        }
        if (!node.isBoolean()) {
            throw ApiException.invalid(field, field + " must be true or false");
        }
        return node.asBoolean();
    }

    private static double number(JsonNode root, String field, double fallback, double min, double max) {
        var node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        double v = node.isNumber() ? node.asDouble() : Double.NaN;
        if (!(v >= min && v <= max)) {
            // The value is not echoed: it may be a thousand digits long.
            throw ApiException.invalid(field, field + " must be a number from " + plain(min) + " to " + plain(max));
        }
        return v;
    }

    private static int intField(JsonNode root, String field, int fallback, int min, int max) {
        var node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            throw ApiException.invalid(field, field + " must be a whole number from " + min + " to " + max);
        }
        return (int) node.asLong();
    }

    private static long intLike(JsonNode node, String field) {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw ApiException.invalid(field, field + " must be a whole number from " + Long.MIN_VALUE + " to "
                    + Long.MAX_VALUE);
        }
        return node.asLong();
    }

    private static String plain(double value) {
        return java.math.BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
    }
}
