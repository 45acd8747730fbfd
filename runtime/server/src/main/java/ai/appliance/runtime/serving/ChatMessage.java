package ai.appliance.runtime.serving;

import ai.appliance.runtime.chat.ToolCall;
import java.util.List;

/**
 * One chat turn: role is system, developer, user, assistant or tool.
 *
 * @param content    plain text; null for an assistant turn that only called tools
 * @param toolCalls  the tools an assistant turn called (empty otherwise)
 * @param toolCallId for a tool turn, the id of the call it answers (else null)
 */
public record ChatMessage(String role, String content, List<ToolCall> toolCalls, String toolCallId) {
    public ChatMessage {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public ChatMessage(String role, String content) {
        this(role, content, List.of(), null);
    }
}
