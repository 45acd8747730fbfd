package ai.appliance.runtime.openai;

import ai.appliance.runtime.api.ApiException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;

/**
 * A body that is not JSON, told in the client's terms: where the parser stopped (line and column) and what to
 * look for. Jackson's own messages name its reader options and internal limits ("enable
 * JsonReadFeature.ALLOW_...", "StreamReadConstraints.getMaxNumberLength()"), which mean nothing to a client
 * and tell an attacker which library parses the body.
 */
public final class JsonBodyErrors {

    private JsonBodyErrors() {
    }

    /** @param what "the request body", "the message", "the payload" */
    public static ApiException notJson(String what, JsonProcessingException e) {
        return ApiException.invalid(null, what + " " + reason(e));
    }

    static String reason(JsonProcessingException e) {
        var where = e.getLocation() == null || e.getLocation().getLineNr() < 1 ? ""
                : " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
        return switch (e) {
            case StreamConstraintsException c -> "holds a number, string or nesting larger than this server accepts";
            case JsonEOFException eof -> "ends before the JSON is complete" + where
                    + ": a closing quote, bracket or brace is missing";
            case InputCoercionException c -> "holds a number too large for its field" + where;
            default -> "is not valid JSON" + where
                    + ": check the quotes, commas, brackets and braces there (JSON has no comments, NaN or trailing commas)";
        };
    }
}
