package ai.appliance.runtime.serving;

import ai.appliance.runtime.chat.ToolDefinition;
import java.util.List;
import java.util.Objects;

/**
 * The functions a chat request offers the model and whether it must call them: OpenAI's {@code tools},
 * {@code tool_choice} and {@code parallel_tool_calls}.
 *
 * @param parallel whether one answer may call several functions
 */
public record ToolUse(List<ToolDefinition> tools, ToolChoice choice, boolean parallel) {

    /** OpenAI's {@code tool_choice}. */
    public sealed interface ToolChoice {
        /** The model decides whether to call (the default with tools). */
        record Auto() implements ToolChoice {
        }

        /** No calls: the tools are not shown to the model at all. */
        record None() implements ToolChoice {
        }

        /** At least one call, to any of the tools. */
        record Required() implements ToolChoice {
        }

        /** Exactly one call, to this function. */
        record Function(String name) implements ToolChoice {
            public Function {
                Objects.requireNonNull(name, "name");
            }
        }
    }

    /** No tools. */
    public static final ToolUse NONE = new ToolUse(List.of(), new ToolChoice.None(), true);

    public ToolUse {
        tools = List.copyOf(tools);
        Objects.requireNonNull(choice, "choice");
    }

    /** Whether the model sees tools and its output is read for calls. */
    public boolean active() {
        return !tools.isEmpty() && !(choice instanceof ToolChoice.None);
    }

    /** Whether the model must call: its output is then held to the call syntax by a grammar. */
    public boolean forced() {
        return active() && (choice instanceof ToolChoice.Required || choice instanceof ToolChoice.Function);
    }
}
