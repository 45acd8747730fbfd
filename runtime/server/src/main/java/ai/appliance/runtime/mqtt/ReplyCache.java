package ai.appliance.runtime.mqtt;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Remembers requests by correlation key so that a redelivered request (QoS 1 allows duplicates; a device may
 * also resend) is answered again from memory and never run twice. Bounded: the least recently used entries go.
 */
final class ReplyCache {

    /** A request's state: still running, or finished with the reply to send again. */
    sealed interface Entry permits Running, Answered { }

    record Running() implements Entry { }

    record Answered(byte[] finalReply) implements Entry { }

    private final Map<String, ReplyCache.Entry> entries;

    ReplyCache(int capacity) {
        this.entries = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ReplyCache.Entry> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Marks {@code key} as running; returns the existing entry instead if the key was seen before. */
    synchronized Optional<Entry> claim(String key) {
        var existing = entries.get(key);
        if (existing != null) {
            return Optional.of(existing);
        }
        entries.put(key, new Running());
        return Optional.empty();
    }

    synchronized void answered(String key, byte[] finalReply) {
        entries.put(key, new Answered(finalReply));
    }

    /** Forgets a request that failed before it ran, so a resend is tried again. */
    synchronized void forget(String key) {
        entries.remove(key);
    }
}
