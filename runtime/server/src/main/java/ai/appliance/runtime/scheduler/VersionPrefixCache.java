package ai.appliance.runtime.scheduler;

import ai.appliance.runtime.engine.KvRows;
import ai.appliance.runtime.engine.Sequence;
import java.util.ArrayList;
import java.util.List;

/**
 * One model version's view of the {@link PrefixCache}: its keys carry the version's scope, so rows computed by one
 * version are never found by another, and {@link #close()} (when the version's scheduler stops) drops them.
 */
public final class VersionPrefixCache implements AutoCloseable {
    private final PrefixCache cache;
    private final long scope;

    VersionPrefixCache(PrefixCache cache, long scope) {
        this.cache = cache;
        this.scope = scope;
    }

    public boolean enabled() {
        return cache.enabled();
    }

    PrefixChain chain(int[] prompt) {
        return PrefixChain.of(prompt, cache.blockTokens());
    }

    /**
     * The rows of the longest run of cached blocks from the start of the prompt that still leaves at least one prompt
     * token to run (its logits start the answer), in order.
     */
    List<KvRows> lookup(PrefixChain chain, int promptLength) {
        int usable = Math.min(chain.blocks(), (promptLength - 1) / chain.blockTokens());
        var found = new ArrayList<KvRows>();
        for (int block = 0; block < usable; block++) {
            var rows = cache.get(chain.key(scope, block));
            if (rows == null) break;
            found.add(rows);
        }
        cache.recordLookup(found.size());
        return found;
    }

    /** Keeps the rows of every full prompt block not cached yet; {@code sequence} has processed the whole prompt. */
    void store(PrefixChain chain, Sequence sequence) {
        for (int block = 0; block < chain.blocks(); block++) {
            var key = chain.key(scope, block);
            if (!cache.contains(key)) {
                cache.put(key, sequence.copyRows(block * chain.blockTokens(), chain.blockTokens()));
            }
        }
    }

    @Override
    public void close() {
        cache.dropScope(scope);
    }
}
