package ai.appliance.runtime.openai;

import ai.appliance.runtime.api.ApiException;
import ai.appliance.runtime.serving.ResponseFormat;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * Reads OpenAI's {@code response_format}: {@code {"type": "text"}}, {@code {"type": "json_object"}} or
 * {@code {"type": "json_schema", "json_schema": {"name", "schema", "strict"}}}. Whether the schema can be enforced is
 * decided when the request reaches its model (the grammar compiler names any keyword it cannot enforce).
 */
public final class OpenAiResponseFormat {

    private OpenAiResponseFormat() {
    }

    /** @param node the field's value, or null when absent */
    public static ResponseFormat parse(JsonNode node) {
        if (node == null || node.isNull()) {
            return ResponseFormat.TEXT;
        }
        if (!node.isObject() || !node.path("type").isTextual()) {
            throw ApiException.invalid("response_format", "response_format must be an object with a type: text,"
                    + " json_object or json_schema");
        }
        return switch (node.get("type").asText()) {
            case "text" -> ResponseFormat.TEXT;
            case "json_object" -> new ResponseFormat.JsonObject();
            case "json_schema" -> jsonSchema(node.get("json_schema"));
            default -> throw ApiException.invalid("response_format.type", "response_format.type must be text,"
                    + " json_object or json_schema");
        };
    }

    private static ResponseFormat jsonSchema(JsonNode spec) {
        if (spec == null || !spec.isObject()) {
            throw ApiException.invalid("response_format.json_schema", "response_format.json_schema must be an object"
                    + " with the schema under \"schema\"");
        }
        var schema = spec.get("schema");
        if (schema == null || !(schema.isObject() || schema.isBoolean())) {
            throw ApiException.invalid("response_format.json_schema.schema",
                    "response_format.json_schema.schema must be a JSON Schema object");
        }
        var name = spec.get("name");
        if (name != null && !name.isNull() && !name.isTextual()) {
            throw ApiException.invalid("response_format.json_schema.name", "response_format.json_schema.name must be a string");
        }
        var strict = spec.get("strict");
        if (strict != null && !strict.isNull() && !strict.isBoolean()) {
            throw ApiException.invalid("response_format.json_schema.strict", "response_format.json_schema.strict must be"
                    + " true or false");
        }
        // strict or not, the schema is enforced: the appliance has no mode that merely hopes for valid output
        return new ResponseFormat.JsonSchema(name == null || name.isNull() ? null : name.asText(), schema);
    }
}
