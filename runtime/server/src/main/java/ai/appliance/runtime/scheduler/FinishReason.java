package ai.appliance.runtime.scheduler;

import static ai.appliance.runtime.generation.FinishReason.MAX_TOKENS;

import java.util.Objects;

/**
 * Why a request ended: it reached one of the engine's ends ({@link Completed}, carrying the engine's reason, which
 * alone decides "stop" versus "length"; {@link ToolCalls} when that end came after tool calls), or the scheduler
 * ended it first ({@link Aborted}: reasons the engine cannot know). {@link #openAiName()} and {@link #auditName()} are the names clients and the audit log see.
 */
public sealed interface FinishReason {

    /**
     * A stop token or stop string, max_tokens, or a full context; the scheduler reports the last two itself when
     * it sees them before the engine does (it sizes each sequence from max_tokens).
     */
    record Completed(ai.appliance.runtime.generation.FinishReason reason) implements FinishReason {
        public Completed {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * The model ended its turn (a stop token or string) after calling tools: OpenAI's {@code "tool_calls"}, which
     * tells the client to run them and send their results.
     */
    record ToolCalls() implements FinishReason {
    }

    /** The scheduler ended the request before its generation did. */
    enum Aborted implements FinishReason {
        /** The client went away or cancelled. */
        CANCELLED,
        /** The request's deadline passed before it finished. */
        DEADLINE,
        /** The server is shutting down and the grace period ran out. */
        SHUTDOWN
    }

    /**
     * OpenAI's {@code finish_reason}, which knows only "stop" and "length". An aborted request reports what a
     * max_tokens cut reports: its output was truncated by a limit, not ended by the model.
     */
    default String openAiName() {
        return switch (this) {
            case Completed(var reason) -> reason.apiName();
            case ToolCalls calls -> "tool_calls";
            case Aborted aborted -> MAX_TOKENS.apiName();
        };
    }

    /** The audit log's name: OpenAI's for a completed request, the cause for an aborted one. */
    default String auditName() {
        return switch (this) {
            case Completed completed -> completed.openAiName();
            case ToolCalls calls -> calls.openAiName();
            case Aborted.CANCELLED -> "cancelled";
            case Aborted.DEADLINE -> "timeout";
            case Aborted.SHUTDOWN -> "shutdown";
        };
    }
}
