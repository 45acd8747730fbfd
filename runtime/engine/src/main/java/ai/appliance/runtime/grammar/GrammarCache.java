package ai.appliance.runtime.grammar;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Compiled grammars by a key that describes them (the schema's JSON text, the tools offered), least recently used
 * dropped first. Reusing the compiled rule is what lets a later request with the same schema reuse the token masks
 * cached for its states ({@link MaskCache} keys hold rules by identity). Thread-safe.
 */
public final class GrammarCache {
    private final int capacity;
    private final Map<String, Rule> rules = new LinkedHashMap<>(16, 0.75f, true);

    public GrammarCache(int capacity) {
        if (capacity < 0) throw new IllegalArgumentException("grammar cache capacity must be 0 or more");
        this.capacity = capacity;
    }

    /** The rule cached under {@code key}, compiled by {@code compile} when missing (its exceptions pass through). */
    public Rule get(String key, Supplier<Rule> compile) {
        synchronized (this) {
            var rule = rules.get(key);
            if (rule != null) return rule;
        }
        var rule = compile.get();
        synchronized (this) {
            var earlier = rules.putIfAbsent(key, rule);
            if (earlier != null) return earlier;
            var it = rules.entrySet().iterator();
            while (rules.size() > capacity && it.hasNext()) {
                it.next();
                it.remove();
            }
        }
        return rule;
    }
}
