package ai.appliance.runtime.scheduler;

import java.util.Locale;

/**
 * Heap bytes that KV caches may hold at once, shared by every scheduler of the appliance (each served
 * model version has one). A request starts only when its cache fits beside those of the running ones;
 * otherwise it waits for them to finish instead of failing on a full heap. R1 models reason for
 * thousands of tokens, so a few clients asking for large {@code max_tokens} at once are the normal case.
 */
public final class KvBudget {

    /** Share of the JVM's maximum heap for KV caches when no limit is configured: weights are memory-mapped
     *  outside the heap, so the rest is activations, logits buffers and the servers. */
    static final double DEFAULT_HEAP_SHARE = 0.6;

    private final long limit;
    private long reserved;

    public KvBudget(long limitBytes) {
        if (limitBytes < 1) {
            throw new IllegalArgumentException("the KV cache budget must be positive, was " + limitBytes);
        }
        this.limit = limitBytes;
    }

    /** {@code configuredBytes} if positive, else {@link #DEFAULT_HEAP_SHARE} of the maximum heap. */
    public static KvBudget of(long configuredBytes) {
        return new KvBudget(configuredBytes > 0 ? configuredBytes
                : (long) (Runtime.getRuntime().maxMemory() * DEFAULT_HEAP_SHARE));
    }

    public long limit() {
        return limit;
    }

    public synchronized long reserved() {
        return reserved;
    }

    /** Takes {@code bytes} if they fit beside what is reserved; false leaves the budget as it was. */
    synchronized boolean tryReserve(long bytes) {
        if (bytes > limit - reserved) {
            return false;
        }
        reserved += bytes;
        return true;
    }

    synchronized void release(long bytes) {
        reserved = Math.max(0, reserved - bytes);
    }

    static String gib(long bytes) {
        return String.format(Locale.ROOT, "%.2f GiB", bytes / 1073741824.0);
    }
}
