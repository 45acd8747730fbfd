package ai.appliance.runtime.logs;

import java.util.Map;

/**
 * Structured fields of one log line (ECS names such as {@code http.request.id}), passed as the record's parameter.
 * The JSON format writes them as fields of the line; the text format shows only the message, which repeats what
 * matters.
 */
public record LogFields(Map<String, String> fields) {

    public LogFields {
        fields = Map.copyOf(fields);
    }
}
