package ai.appliance.runtime.scheduler;

/**
 * A piece of a tool call for the client, in the order OpenAI streams them: the first piece of a call carries its id
 * and the function's name, later ones more of the arguments' JSON text.
 *
 * @param index     which call of the answer (0, 1, ...)
 * @param id        the call's id on its first piece, else null
 * @param name      the function's name on the call's first piece, else null
 * @param arguments more of the arguments (may be empty)
 */
public record ToolCallDelta(int index, String id, String name, String arguments) {
    public ToolCallDelta {
        arguments = arguments == null ? "" : arguments;
    }
}
