package ai.appliance.runtime.serving;

import java.util.List;
import java.util.Objects;

/**
 * A generation request, independent of the front end it came from.
 *
 * @param model      requested model name, or null for the default model
 * @param messages   chat turns (for {@link Kind#CHAT}), else empty
 * @param prompt     raw prompt (for {@link Kind#COMPLETION}), else null
 * @param maxTokens  tokens to generate at most
 * @param stop       stop strings (not included in the output)
 * @param stream     the client wants incremental chunks
 * @param includeUsage whether a streaming client asked for a final usage chunk
 * @param topLogprobs  null: no log probabilities; else each generated token's log probability is returned with
 *                     this many likeliest alternatives (0 to 20)
 * @param routing      where the request may be answered (local only, fallback allowed)
 * @param responseFormat the answer's required shape (free text, any JSON object, JSON valid under a schema)
 * @param tools          functions the model may or must call (chat only)
 */
public record InferenceRequest(
        Kind kind,
        String model,
        List<ChatMessage> messages,
        String prompt,
        SamplingParams sampling,
        int maxTokens,
        List<String> stop,
        boolean stream,
        boolean includeUsage,
        Integer topLogprobs,
        RoutingHints routing,
        ResponseFormat responseFormat,
        ToolUse tools) {

    public enum Kind { CHAT, COMPLETION }

    public InferenceRequest {
        messages = messages == null ? List.of() : List.copyOf(messages);
        stop = stop == null ? List.of() : List.copyOf(stop);
        routing = routing == null ? RoutingHints.DEFAULT : routing;
        responseFormat = Objects.requireNonNullElse(responseFormat, ResponseFormat.TEXT);
        tools = Objects.requireNonNullElse(tools, ToolUse.NONE);
    }

    /** A request of free text without tools that says nothing about where it may be answered. */
    public InferenceRequest(Kind kind, String model, List<ChatMessage> messages, String prompt, SamplingParams sampling,
                            int maxTokens, List<String> stop, boolean stream, boolean includeUsage, Integer topLogprobs) {
        this(kind, model, messages, prompt, sampling, maxTokens, stop, stream, includeUsage, topLogprobs,
                RoutingHints.DEFAULT, ResponseFormat.TEXT, ToolUse.NONE);
    }

    /** A request without log probabilities. */
    public InferenceRequest(Kind kind, String model, List<ChatMessage> messages, String prompt, SamplingParams sampling,
                            int maxTokens, List<String> stop, boolean stream, boolean includeUsage) {
        this(kind, model, messages, prompt, sampling, maxTokens, stop, stream, includeUsage, null);
    }

    public boolean wantsLogprobs() {
        return topLogprobs != null;
    }

    /** The text the audit log hashes: the raw prompt, or every message as role + content. */
    public String promptText() {
        if (kind == Kind.COMPLETION) {
            return prompt;
        }
        var sb = new StringBuilder();
        for (var m : messages) {
            sb.append(m.role()).append('\n');
            if (m.content() != null) {
                sb.append(m.content()).append('\n');
            }
            for (var call : m.toolCalls()) {
                sb.append(call.name()).append(' ').append(call.arguments()).append('\n');
            }
        }
        return sb.toString();
    }
}
