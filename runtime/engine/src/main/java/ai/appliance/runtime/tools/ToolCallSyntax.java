package ai.appliance.runtime.tools;

import ai.appliance.runtime.chat.ToolDefinition;
import ai.appliance.runtime.grammar.Rule;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a model family writes tool calls in its output, and how its chat template shows them: what turns generated
 * text into OpenAI {@code tool_calls}, and the grammar that makes a model call a function when a request insists.
 * One implementation per family whose template handles tools.
 */
public sealed interface ToolCallSyntax permits DeepSeekToolCalls {

    /**
     * The syntax a chat template uses, found from its source: empty when the template cannot render tool calls (a
     * request with tools is then refused, since the model would never see its calls' results).
     */
    static Optional<ToolCallSyntax> of(String templateSource) {
        if (DeepSeekToolCalls.rendersToolCalls(templateSource)) return Optional.of(new DeepSeekToolCalls(templateSource));
        return Optional.empty();
    }

    /** A parser for one generated answer. */
    ToolCallParser newParser();

    /**
     * The grammar of output that calls functions: between 1 and {@code maxCalls} calls, each to one of the named
     * functions with arguments that follow that function's grammar, and nothing else.
     */
    Rule calls(Map<String, Rule> argumentsByName, int maxCalls);

    /**
     * What to add to the system prompt so that the model knows the tools and the call format, or empty when the
     * template renders the {@code tools} it is given itself.
     */
    Optional<String> systemPrompt(List<ToolDefinition> tools);
}
