package ai.appliance.runtime.upstream;

import ai.appliance.runtime.serving.InferenceRequest;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * What one {@code data:} event of an upstream's OpenAI stream carries for the first choice: text, the finish
 * reason, usage, or an error object sent in place of a chunk (how OpenAI-compatible servers report a failure
 * after the stream started).
 *
 * @param finishReason OpenAI's finish_reason, or null while the answer goes on
 * @param promptTokens usage, or -1 when this chunk has none
 * @param error        the error's message when the chunk is an error object, else null
 */
record StreamChunk(String content, String reasoning, String finishReason, int promptTokens, int cachedPromptTokens,
                   int completionTokens, String error) {

    static StreamChunk parse(JsonNode root, InferenceRequest.Kind kind) {
        var error = root.get("error");
        if (error != null && !error.isNull()) {
            var message = error.isObject() ? error.path("message").asText("") : error.asText("");
            return new StreamChunk("", "", null, -1, 0, 0, message.isEmpty() ? "no message" : message);
        }
        String content = "";
        String reasoning = "";
        String finish = null;
        var choice = root.path("choices").path(0);
        if (choice.isObject()) {
            if (kind == InferenceRequest.Kind.CHAT) {
                var delta = choice.path("delta");
                content = delta.path("content").asText("");
                // The appliance, SGLang and older vLLM say reasoning_content; newer vLLM says reasoning.
                reasoning = delta.hasNonNull("reasoning_content") ? delta.get("reasoning_content").asText("")
                        : delta.path("reasoning").asText("");
            } else {
                content = choice.path("text").asText("");
            }
            var reason = choice.get("finish_reason");
            finish = reason == null || reason.isNull() ? null : reason.asText();
        }
        var usage = root.get("usage");
        if (usage != null && usage.isObject()) {
            return new StreamChunk(content, reasoning, finish, usage.path("prompt_tokens").asInt(0),
                    usage.path("prompt_tokens_details").path("cached_tokens").asInt(0),
                    usage.path("completion_tokens").asInt(0), null);
        }
        return new StreamChunk(content, reasoning, finish, -1, 0, 0, null);
    }

    boolean hasText() {
        return !content.isEmpty() || !reasoning.isEmpty();
    }

    boolean hasUsage() {
        return promptTokens >= 0;
    }
}
