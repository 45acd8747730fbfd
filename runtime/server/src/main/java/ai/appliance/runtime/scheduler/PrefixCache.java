package ai.appliance.runtime.scheduler;

import ai.appliance.runtime.engine.KvRows;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * KV rows of prompt blocks kept after their requests end, so that later prompts starting with the same tokens (a
 * system prompt, the conversation so far) skip computing them. One cache for the appliance, bounded in bytes (Caffeine,
 * weighed by each block's heap bytes; its eviction keeps recently and frequently used blocks); each served model
 * version reads and writes it through a {@link VersionPrefixCache} of its own scope, so no version ever sees another's
 * rows.
 */
public final class PrefixCache {
    public static final int DEFAULT_BLOCK_TOKENS = 32;

    private final long maxBytes;
    private final int blockTokens;
    /** Null when switched off. */
    private final Cache<PrefixBlockKey, KvRows> blocks;
    private final AtomicLong scopes = new AtomicLong();
    private final LongAdder lookups = new LongAdder();
    private final LongAdder hits = new LongAdder();
    private final LongAdder reusedTokens = new LongAdder();
    private final LongAdder evictions = new LongAdder();

    /**
     * @param maxBytes    heap bytes the cached rows may take; 0 switches the cache off
     * @param blockTokens prompt tokens per block: the granularity of reuse
     */
    public PrefixCache(long maxBytes, int blockTokens) {
        if (maxBytes < 0) throw new IllegalArgumentException("the prefix cache size must not be negative, was " + maxBytes);
        if (blockTokens < 1) throw new IllegalArgumentException("a prefix cache block holds at least 1 token, was " + blockTokens);
        this.maxBytes = maxBytes;
        this.blockTokens = blockTokens;
        this.blocks = maxBytes == 0 ? null : Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((PrefixBlockKey key, KvRows rows) -> (int) Math.min(Integer.MAX_VALUE, rows.bytes()))
                // Maintenance on the writing scheduler thread: no pool thread, and the bound holds after each put.
                .executor(Runnable::run)
                .removalListener((PrefixBlockKey key, KvRows rows, com.github.benmanes.caffeine.cache.RemovalCause cause) -> {
                    if (cause.wasEvicted()) evictions.increment();
                })
                .build();
    }

    public static PrefixCache disabled() {
        return new PrefixCache(0, DEFAULT_BLOCK_TOKENS);
    }

    public boolean enabled() {
        return blocks != null;
    }

    /** A new scope for one model version; closing it drops that version's blocks. */
    public VersionPrefixCache newVersionScope() {
        return new VersionPrefixCache(this, scopes.incrementAndGet());
    }

    public long maxBytes() {
        return maxBytes;
    }

    public int blockTokens() {
        return blockTokens;
    }

    /** Heap bytes the cached blocks take now. */
    public long bytes() {
        if (blocks == null) return 0;
        return blocks.policy().eviction().orElseThrow().weightedSize().orElse(0);
    }

    /** Prompts looked up (requests admitted while the cache is on and their model's cache can copy rows). */
    public long lookups() {
        return lookups.sum();
    }

    /** Lookups that reused at least one block. */
    public long hits() {
        return hits.sum();
    }

    /** Prompt tokens not computed because their rows came from the cache. */
    public long reusedTokens() {
        return reusedTokens.sum();
    }

    /** Blocks dropped to stay within {@link #maxBytes()}. */
    public long evictions() {
        return evictions.sum();
    }

    KvRows get(PrefixBlockKey key) {
        return blocks.getIfPresent(key);
    }

    boolean contains(PrefixBlockKey key) {
        return blocks.policy().getIfPresentQuietly(key) != null;
    }

    void put(PrefixBlockKey key, KvRows rows) {
        blocks.put(key, rows);
    }

    void recordLookup(int blocksReused) {
        lookups.increment();
        if (blocksReused > 0) {
            hits.increment();
            reusedTokens.add((long) blocksReused * blockTokens);
        }
    }

    void dropScope(long scope) {
        if (blocks != null) blocks.asMap().keySet().removeIf(key -> key.scope() == scope);
    }
}
