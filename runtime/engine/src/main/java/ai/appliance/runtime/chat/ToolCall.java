package ai.appliance.runtime.chat;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A function call made by the model, as OpenAI's {@code tool_calls} entries carry it.
 *
 * @param id        the call's id, which the {@code tool} message answering it names
 * @param name      the function's name
 * @param arguments the arguments as JSON text (as the model wrote them; clients parse them)
 */
public record ToolCall(String id, String name, String arguments) {
    public ToolCall {
        Objects.requireNonNull(name, "name");
        arguments = arguments == null ? "" : arguments;
    }

    /** {@code {"id", "type": "function", "function": {"name", "arguments"}}}, what chat templates read. */
    public Map<String, Object> toTemplateMap() {
        var function = new LinkedHashMap<String, Object>();
        function.put("name", name);
        function.put("arguments", arguments);
        var m = new LinkedHashMap<String, Object>();
        m.put("id", id);
        m.put("type", "function");
        m.put("function", function);
        return m;
    }
}
