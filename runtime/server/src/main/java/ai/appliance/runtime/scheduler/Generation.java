package ai.appliance.runtime.scheduler;

import java.util.List;

/**
 * Per-request decoding state as the scheduler sees it: the prompt to process, and a step that turns the
 * logits after the last token into the next token and the text it adds. Sampling, detokenization, stop
 * strings and the reasoning split live behind this interface (the engine's generation package); the
 * scheduler only batches.
 */
public interface Generation {

    /** Prompt token ids, already rendered through the chat template when there is one. */
    int[] promptTokens();

    /** Chooses the next token from {@code logits}; a non-null {@link Step#finish()} ends the request. */
    Step next(float[] logits);

    /** Ends the request for a reason the scheduler decided (length, cancel, deadline) and flushes held text. */
    Step finish(FinishReason reason);

    /**
     * One decoding step.
     *
     * @param token     the token to feed back into the model next (ignored when finishing)
     * @param content   answer text this step adds (may be empty)
     * @param reasoning reasoning text ({@code <think>} part of R1 models) this step adds (may be empty)
     * @param toolCalls pieces of tool calls this step completed (usually empty)
     * @param finish    null while the request goes on
     * @param logprob   the token's log probabilities when the request asked for them and the token counts as
     *                  generated (a stop token does not); else null
     */
    record Step(int token, String content, String reasoning, List<ToolCallDelta> toolCalls, FinishReason finish,
                TextLogprob logprob) {
        public Step {
            content = content == null ? "" : content;
            reasoning = reasoning == null ? "" : reasoning;
            toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
        }

        public Step(int token, String content, String reasoning, FinishReason finish, TextLogprob logprob) {
            this(token, content, reasoning, List.of(), finish, logprob);
        }

        public Step(int token, String content, String reasoning, FinishReason finish) {
            this(token, content, reasoning, List.of(), finish, null);
        }

        /** Whether the step has anything for the client. */
        public boolean hasText() {
            return !content.isEmpty() || !reasoning.isEmpty() || !toolCalls.isEmpty();
        }
    }
}
