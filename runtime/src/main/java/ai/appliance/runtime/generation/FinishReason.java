package ai.appliance.runtime.generation;

/** Why a generation ended. */
public enum FinishReason {
    /** The model produced an end-of-sequence (stop) token. */
    EOS("stop"),
    /** The text reached one of the request's stop strings. */
    STOP_STRING("stop"),
    /** The request's maximum number of new tokens was generated. */
    MAX_TOKENS("length"),
    /** The sequence filled its context (KV cache capacity). */
    CONTEXT_LENGTH("length");

    private final String apiName;

    FinishReason(String apiName) {
        this.apiName = apiName;
    }

    /** The OpenAI-style finish_reason: "stop" or "length". */
    public String apiName() {
        return apiName;
    }
}
