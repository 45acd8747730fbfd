package ai.appliance.runtime.grammar;

/**
 * A JSON Schema that structured output cannot enforce: a keyword outside the supported subset, or a combination the
 * grammar cannot tell apart while generating. The message names the keyword and where it is (a JSON pointer into
 * the schema) and says what is supported, so the caller can fix the schema.
 */
public final class UnsupportedSchemaException extends RuntimeException {
    private final String keyword;
    private final String pointer;

    UnsupportedSchemaException(String keyword, String pointer, String message) {
        super(message + " (at " + (pointer.isEmpty() ? "the schema's root" : pointer) + ")");
        this.keyword = keyword;
        this.pointer = pointer;
    }

    /** The keyword refused, or null when the schema's shape (not one keyword) is the problem. */
    public String keyword() {
        return keyword;
    }

    /** Where in the schema, as a JSON pointer ("" for the root). */
    public String pointer() {
        return pointer;
    }
}
