package ai.appliance.runtime.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** Field access to a config.json object that names the file and field when a value is missing or wrong. */
public record ConfigFields(Path file, JsonNode node) {

    public int positiveInt(String name) {
        var v = node.get(name);
        if (v == null || v.isNull()) throw new ModelFormatException(file, "'" + name + "' is missing");
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() <= 0) {
            throw new ModelFormatException(file, "'" + name + "' = " + v + " is not a positive integer");
        }
        return v.asInt();
    }

    /** A positive integer, or {@code fallback} when the field is absent or null. */
    public int positiveInt(String name, int fallback) {
        var v = node.get(name);
        return v == null || v.isNull() ? fallback : positiveInt(name);
    }

    /** A non-negative integer, or {@code fallback} when the field is absent or null. */
    public int nonNegativeInt(String name, int fallback) {
        var v = node.get(name);
        if (v == null || v.isNull()) return fallback;
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
            throw new ModelFormatException(file, "'" + name + "' = " + v + " is not a non-negative integer");
        }
        return v.asInt();
    }

    public double positiveDouble(String name, Double fallback) {
        var v = node.get(name);
        if (v == null || v.isNull()) {
            if (fallback == null) throw new ModelFormatException(file, "'" + name + "' is missing");
            return fallback;
        }
        if (!v.isNumber() || !(v.asDouble() > 0) || Double.isInfinite(v.asDouble())) {
            throw new ModelFormatException(file, "'" + name + "' = " + v + " is not a positive number");
        }
        return v.asDouble();
    }

    /** A string, or {@code fallback} when absent or null. */
    public String string(String name, String fallback) {
        var v = node.get(name);
        if (v == null || v.isNull()) return fallback;
        if (!v.isTextual()) throw new ModelFormatException(file, "'" + name + "' = " + v + " is not a string");
        return v.asText();
    }

    /** A boolean, or {@code fallback} when absent or null. */
    public boolean bool(String name, boolean fallback) {
        var v = node.get(name);
        if (v == null || v.isNull()) return fallback;
        if (!v.isBoolean()) throw new ModelFormatException(file, "'" + name + "' = " + v + " is not true or false");
        return v.asBoolean();
    }
}
