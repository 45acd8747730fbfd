package ai.appliance.runtime.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A function the model may call: OpenAI's {@code tools} entry of type {@code function}.
 *
 * @param description what it does, for the model (may be empty)
 * @param parameters  the JSON Schema of its arguments object ({@code {"type": "object", "properties": {}}} when the
 *                    request gave none)
 */
public record ToolDefinition(String name, String description, JsonNode parameters) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The schema of a function that takes no arguments. */
    public static final JsonNode NO_PARAMETERS = JsonNodeFactory.instance.objectNode().put("type", "object")
            .set("properties", JsonNodeFactory.instance.objectNode());

    public ToolDefinition {
        Objects.requireNonNull(name, "name");
        description = description == null ? "" : description;
        parameters = parameters == null ? NO_PARAMETERS : parameters;
    }

    /**
     * {@code {"type": "function", "function": {"name", "description", "parameters"}}}: the shape transformers passes
     * as {@code tools} to chat templates (the schema as plain maps and lists, so {@code tojson} prints it).
     */
    public Map<String, Object> toTemplateMap() {
        var function = new LinkedHashMap<String, Object>();
        function.put("name", name);
        function.put("description", description);
        function.put("parameters", JSON.convertValue(parameters, Object.class));
        var m = new LinkedHashMap<String, Object>();
        m.put("type", "function");
        m.put("function", function);
        return m;
    }
}
