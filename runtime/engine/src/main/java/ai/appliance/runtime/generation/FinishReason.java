package ai.appliance.runtime.generation;

/**
 * Why the engine ended a generation. The server's scheduler wraps these and adds the reasons only it knows
 * (cancelled, deadline, shutdown): see {@code scheduler.FinishReason}.
 */
public enum FinishReason {
    /** The model produced an end-of-sequence (stop) token. */
    EOS(false),
    /** The text reached one of the request's stop strings. */
    STOP_STRING(false),
    /** The request's maximum number of new tokens was generated. */
    MAX_TOKENS(true),
    /** The sequence filled its context (KV cache capacity). */
    CONTEXT_LENGTH(true);

    private final boolean byLimit;

    FinishReason(boolean byLimit) {
        this.byLimit = byLimit;
    }

    /** A limit cut the text short, rather than the model ending it; the last token is then part of the answer. */
    public boolean byLimit() {
        return byLimit;
    }

    /** The OpenAI-style finish_reason: "stop" when the model ended the text, "length" when a limit did. */
    public String apiName() {
        return byLimit ? "length" : "stop";
    }
}
