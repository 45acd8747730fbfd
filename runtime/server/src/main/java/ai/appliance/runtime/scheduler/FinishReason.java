package ai.appliance.runtime.scheduler;

import static ai.appliance.runtime.generation.FinishReason.MAX_TOKENS;

import java.util.Objects;

/**
 * Why a request ended: it reached one of the engine's ends ({@link Completed}, carrying the engine's reason, which
 * alone decides "stop" versus "length"), or the scheduler ended it first ({@link Aborted}: reasons the engine
 * cannot know). {@link #openAiName()} and {@link #auditName()} are the names clients and the audit log see.
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
            case Aborted aborted -> MAX_TOKENS.apiName();
        };
    }

    /** The audit log's name: OpenAI's for a completed request, the cause for an aborted one. */
    default String auditName() {
        return switch (this) {
            case Completed completed -> completed.openAiName();
            case Aborted.CANCELLED -> "cancelled";
            case Aborted.DEADLINE -> "timeout";
            case Aborted.SHUTDOWN -> "shutdown";
        };
    }
}
