package ai.appliance.runtime.chat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One turn of a conversation as chat templates see it.
 *
 * @param content    the text; null for an assistant turn that only calls tools (templates test {@code content is
 *                   none})
 * @param toolCalls  the tools an assistant turn called (empty otherwise)
 * @param toolCallId for a {@code tool} turn, the id of the call it answers (else null)
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId) {
    public ChatMessage {
        Objects.requireNonNull(role, "role");
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public ChatMessage(String role, String content) {
        this(role, content, List.of(), null);
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /**
     * The map a Jinja template indexes: {@code message['role']}, {@code message['content']} and, when there are
     * any, {@code message['tool_calls']} in OpenAI's shape and {@code message['tool_call_id']}.
     */
    public Map<String, Object> toTemplateMap() {
        var m = new LinkedHashMap<String, Object>();
        m.put("role", role);
        m.put("content", content);
        if (!toolCalls.isEmpty()) {
            var calls = new ArrayList<Map<String, Object>>();
            for (var call : toolCalls) calls.add(call.toTemplateMap());
            m.put("tool_calls", calls);
        }
        if (toolCallId != null) m.put("tool_call_id", toolCallId);
        return m;
    }
}
