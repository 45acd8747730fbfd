package ai.appliance.runtime.scheduler;

/** A request whose KV cache alone exceeds the appliance's {@link KvBudget}: it could never start. */
public final class KvCacheTooLargeException extends RuntimeException {

    public KvCacheTooLargeException(int positions, long bytes, long limit) {
        super("a prompt plus max_tokens of " + positions + " positions needs " + KvBudget.gib(bytes)
                + " of KV cache, more than the " + KvBudget.gib(limit) + " this appliance allows "
                + "(scheduler.kv-cache-bytes, or the Java heap); lower max_tokens");
    }
}
