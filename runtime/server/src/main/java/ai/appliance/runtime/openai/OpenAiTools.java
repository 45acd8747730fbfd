package ai.appliance.runtime.openai;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.chat.ToolCall;
import ai.appliance.runtime.chat.ToolDefinition;
import ai.appliance.runtime.serving.ToolUse;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads OpenAI's {@code tools}, {@code tool_choice} and {@code parallel_tool_calls}, and the {@code tool_calls} of
 * assistant messages. Only function tools exist in the chat API the appliance speaks.
 */
public final class OpenAiTools {
    /** OpenAI's rule for function names. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private OpenAiTools() {
    }

    /**
     * @param tools    {@code tools}, or null
     * @param choice   {@code tool_choice}, or null
     * @param parallel {@code parallel_tool_calls}, or null
     */
    public static ToolUse parse(JsonNode tools, JsonNode choice, JsonNode parallel) {
        var definitions = definitions(tools);
        boolean parallelCalls = true;
        if (parallel != null && !parallel.isNull()) {
            if (!parallel.isBoolean()) {
                throw ApiException.invalid("parallel_tool_calls", "parallel_tool_calls must be true or false");
            }
            parallelCalls = parallel.booleanValue();
        }
        return new ToolUse(definitions, choice(choice, definitions), parallelCalls);
    }

    private static List<ToolDefinition> definitions(JsonNode tools) {
        if (tools == null || tools.isNull()) {
            return List.of();
        }
        if (!tools.isArray()) {
            throw ApiException.invalid("tools", "tools must be an array of {\"type\": \"function\", \"function\": {...}}");
        }
        var out = new ArrayList<ToolDefinition>();
        var names = new HashSet<String>();
        for (int i = 0; i < tools.size(); i++) {
            var tool = tools.get(i);
            String where = "tools[" + i + "]";
            if (!tool.isObject() || !tool.path("type").asText("").equals("function") || !tool.path("function").isObject()) {
                throw ApiException.invalid(where, where + " must be {\"type\": \"function\", \"function\": {\"name\", "
                        + "\"description\", \"parameters\"}}: only function tools are supported");
            }
            var function = tool.get("function");
            var name = function.get("name");
            if (name == null || !name.isTextual() || !NAME.matcher(name.asText()).matches()) {
                throw ApiException.invalid(where + ".function.name", where + ".function.name must be 1 to 64 letters,"
                        + " digits, underscores or dashes");
            }
            if (!names.add(name.asText())) {
                throw ApiException.invalid(where + ".function.name", "two tools are named '" + name.asText() + "'");
            }
            var description = function.get("description");
            if (description != null && !description.isNull() && !description.isTextual()) {
                throw ApiException.invalid(where + ".function.description", where + ".function.description must be a string");
            }
            var parameters = function.get("parameters");
            if (parameters != null && !parameters.isNull() && !parameters.isObject()) {
                throw ApiException.invalid(where + ".function.parameters", where + ".function.parameters must be a"
                        + " JSON Schema object");
            }
            out.add(new ToolDefinition(name.asText(), description == null || description.isNull() ? "" : description.asText(),
                    parameters == null || parameters.isNull() ? null : parameters));
        }
        return out;
    }

    private static ToolUse.ToolChoice choice(JsonNode node, List<ToolDefinition> tools) {
        if (node == null || node.isNull()) {
            return tools.isEmpty() ? new ToolUse.ToolChoice.None() : new ToolUse.ToolChoice.Auto();
        }
        ToolUse.ToolChoice choice;
        if (node.isTextual()) {
            choice = switch (node.asText()) {
                case "none" -> new ToolUse.ToolChoice.None();
                case "auto" -> new ToolUse.ToolChoice.Auto();
                case "required" -> new ToolUse.ToolChoice.Required();
                default -> throw ApiException.invalid("tool_choice", "tool_choice must be none, auto, required or"
                        + " {\"type\": \"function\", \"function\": {\"name\": ...}}");
            };
        } else if (node.isObject() && node.path("type").asText("").equals("function")
                && node.path("function").path("name").isTextual()) {
            var name = node.get("function").get("name").asText();
            if (tools.stream().noneMatch(t -> t.name().equals(name))) {
                throw ApiException.invalid("tool_choice", "tool_choice names '" + name + "', which is not among the tools");
            }
            choice = new ToolUse.ToolChoice.Function(name);
        } else {
            throw ApiException.invalid("tool_choice", "tool_choice must be none, auto, required or"
                    + " {\"type\": \"function\", \"function\": {\"name\": ...}}");
        }
        if (tools.isEmpty() && !(choice instanceof ToolUse.ToolChoice.None || choice instanceof ToolUse.ToolChoice.Auto)) {
            throw ApiException.invalid("tool_choice", "tool_choice asks for a call but the request lists no tools");
        }
        return choice;
    }

    /** An assistant message's {@code tool_calls}: {@code [{"id", "type": "function", "function": {"name", "arguments"}}]}. */
    static List<ToolCall> calls(JsonNode node, String where) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ApiException.invalid(where, where + " must be an array of tool calls");
        }
        var out = new ArrayList<ToolCall>();
        for (int i = 0; i < node.size(); i++) {
            var call = node.get(i);
            String at = where + "[" + i + "]";
            var function = call.path("function");
            if (!call.isObject() || !function.path("name").isTextual()) {
                throw ApiException.invalid(at, at + " must be {\"id\", \"type\": \"function\", \"function\": {\"name\","
                        + " \"arguments\"}}");
            }
            var arguments = function.get("arguments");
            if (arguments != null && !arguments.isNull() && !arguments.isTextual()) {
                throw ApiException.invalid(at + ".function.arguments", at + ".function.arguments must be a string of JSON");
            }
            var id = call.get("id");
            out.add(new ToolCall(id != null && id.isTextual() ? id.asText() : null, function.get("name").asText(),
                    arguments == null || arguments.isNull() ? "" : arguments.asText()));
        }
        return out;
    }
}
