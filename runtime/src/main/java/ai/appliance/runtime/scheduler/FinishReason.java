package ai.appliance.runtime.scheduler;

/** Why a generation ended; {@link #wireName()} is the OpenAI {@code finish_reason} value. */
public enum FinishReason {
    /** End-of-sequence token or a stop string. */
    STOP("stop"),
    /** max_tokens reached or the context is full. */
    LENGTH("length"),
    /** The client went away or cancelled. */
    CANCELLED("cancelled"),
    /** The request's deadline passed before it finished. */
    DEADLINE("timeout"),
    /** The server is shutting down and the grace period ran out. */
    SHUTDOWN("shutdown");

    private final String wireName;

    FinishReason(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }
}
