package ai.appliance.runtime.tools;

import ai.appliance.runtime.chat.ToolDefinition;
import ai.appliance.runtime.grammar.Rule;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * DeepSeek-V3/R1's tool calls, as their chat templates render an assistant's {@code tool_calls}:
 * <pre>
 * &lt;｜tool▁calls▁begin｜&gt;&lt;｜tool▁call▁begin｜&gt;function&lt;｜tool▁sep｜&gt;NAME
 * ```json
 * {"arguments": ...}
 * ```&lt;｜tool▁call▁end｜&gt;
 * &lt;｜tool▁call▁begin｜&gt;...&lt;｜tool▁call▁end｜&gt;&lt;｜tool▁calls▁end｜&gt;
 * </pre>
 * Their templates show calls and {@code tool} results but not the list of tools, so the tools and this format are
 * described in the system prompt (as vLLM's DeepSeek-V3 tool template does) unless a template renders {@code tools}.
 */
public final class DeepSeekToolCalls implements ToolCallSyntax {
    public static final String CALLS_BEGIN = "<\uff5ctool\u2581calls\u2581begin\uff5c>";
    public static final String CALLS_END = "<\uff5ctool\u2581calls\u2581end\uff5c>";
    public static final String CALL_BEGIN = "<\uff5ctool\u2581call\u2581begin\uff5c>";
    public static final String CALL_END = "<\uff5ctool\u2581call\u2581end\uff5c>";
    public static final String SEP = "<\uff5ctool\u2581sep\uff5c>";

    private static final Pattern TOOLS_VARIABLE = Pattern.compile("\\btools\\b");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final boolean templateRendersTools;

    DeepSeekToolCalls(String templateSource) {
        this.templateRendersTools = TOOLS_VARIABLE.matcher(templateSource).find();
    }

    /** Whether a template writes an assistant's tool calls in this syntax. */
    static boolean rendersToolCalls(String templateSource) {
        return templateSource.contains(CALL_BEGIN) && templateSource.contains("tool_calls");
    }

    @Override
    public ToolCallParser newParser() {
        return new DeepSeekToolCallParser();
    }

    @Override
    public Rule calls(Map<String, Rule> argumentsByName, int maxCalls) {
        if (argumentsByName.isEmpty()) throw new IllegalArgumentException("no function to call");
        var byHeader = new LinkedHashMap<String, Rule>();
        for (var e : argumentsByName.entrySet()) {
            // The name ends at its newline, so no name is a prefix of another's header.
            byHeader.put(e.getKey() + "\n```json\n", Rule.sequence(e.getValue(), Rule.literal("\n```" + CALL_END)));
        }
        var call = Rule.sequence(Rule.literal(CALL_BEGIN + "function" + SEP), Rule.keyed(byHeader));
        return Rule.sequence(Rule.literal(CALLS_BEGIN), Rule.repeat(call, Rule.literal("\n"), Rule.literal(CALLS_END), 1, maxCalls));
    }

    @Override
    public Optional<String> systemPrompt(List<ToolDefinition> tools) {
        if (templateRendersTools || tools.isEmpty()) return Optional.empty();
        var sb = new StringBuilder("## Tools\nYou have access to the following tools:\n");
        for (var tool : tools) {
            sb.append("\n### ").append(tool.name()).append('\n');
            if (!tool.description().isEmpty()) sb.append("Description: ").append(tool.description()).append("\n\n");
            try {
                sb.append("Parameters: ").append(JSON.writeValueAsString(tool.parameters())).append('\n');
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        sb.append("\nIMPORTANT: ALWAYS adhere to this exact format for tool use:\n")
                .append(CALLS_BEGIN).append(CALL_BEGIN).append("function").append(SEP).append("tool_call_name\n")
                .append("```json\ntool_call_arguments\n```").append(CALL_END).append("{{additional_tool_calls}}")
                .append(CALLS_END).append("\n\nWhere:\n")
                .append("- `tool_call_name` must be an exact match to one of the available tools\n")
                .append("- `tool_call_arguments` must be valid JSON based on the required parameters of the tool\n")
                .append("- `{{additional_tool_calls}}` stands for further calls in the same format, one per line, or nothing\n");
        return Optional.of(sb.toString());
    }
}
