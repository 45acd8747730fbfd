package ai.appliance.runtime.tools;

/**
 * A piece of a tool call as it streams out of the model.
 *
 * @param index     which call of the answer (0, 1, ...)
 * @param name      the function's name on the call's first chunk, null on later ones
 * @param arguments more of the arguments' JSON text (may be empty)
 */
public record ToolCallChunk(int index, String name, String arguments) {
    public ToolCallChunk {
        arguments = arguments == null ? "" : arguments;
    }
}
