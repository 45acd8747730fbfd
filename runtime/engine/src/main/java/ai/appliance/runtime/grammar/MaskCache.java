package ai.appliance.runtime.grammar;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Token masks by grammar state, least recently used dropped first, bounded in bytes. One per model (its
 * vocabulary decides the masks); states of different compiled grammars never collide, since states hold their rules
 * by identity. Computing a mask walks the vocabulary; a state seen again (inside a string, the next item of an
 * array, the same schema in the next request) costs a lookup. Thread-safe.
 */
public final class MaskCache {
    private final long maxBytes;
    private final Map<GrammarState, long[]> masks = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;
    private long hits;
    private long misses;

    /** @param maxBytes heap bytes the masks may hold together (0 caches nothing) */
    public MaskCache(long maxBytes) {
        if (maxBytes < 0) throw new IllegalArgumentException("mask cache bytes must be 0 or more");
        this.maxBytes = maxBytes;
    }

    /** The cached mask of {@code state}, computed and cached by {@code compute} when missing. */
    public long[] get(GrammarState state, Function<GrammarState, long[]> compute) {
        synchronized (this) {
            var mask = masks.get(state);
            if (mask != null) {
                hits++;
                return mask;
            }
            misses++;
        }
        var mask = compute.apply(state);
        long size = 16L + 8L * mask.length;
        synchronized (this) {
            if (size <= maxBytes && masks.putIfAbsent(state, mask) == null) {
                bytes += size;
                var it = masks.entrySet().iterator();
                while (bytes > maxBytes && it.hasNext()) {
                    bytes -= 16L + 8L * it.next().getValue().length;
                    it.remove();
                }
            }
        }
        return mask;
    }

    public synchronized long hits() {
        return hits;
    }

    public synchronized long misses() {
        return misses;
    }
}
