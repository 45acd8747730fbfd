package ai.appliance.runtime.serving;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;

/** The shape an answer must have: OpenAI's {@code response_format}. */
public sealed interface ResponseFormat {

    /** Free text (the default). */
    record Text() implements ResponseFormat {
    }

    /** Any JSON object. */
    record JsonObject() implements ResponseFormat {
    }

    /**
     * JSON valid under a schema.
     *
     * @param name   the schema's name (informational)
     * @param schema the JSON Schema
     */
    record JsonSchema(String name, JsonNode schema) implements ResponseFormat {
        public JsonSchema {
            Objects.requireNonNull(schema, "schema");
        }
    }

    ResponseFormat TEXT = new Text();
}
