package ai.appliance.runtime.engine;

/** One sequence's state in a {@link LanguageModel}: its KV cache and how many positions it holds. */
public interface Sequence extends AutoCloseable {

    /** Positions already processed. */
    int length();

    /** Positions the KV cache can hold. */
    int capacity();

    /**
     * Forgets every position from {@code length} on, keeping the prefix before it (a chat turn reuses
     * the cache of the conversation so far). Implementations that cannot do this throw
     * {@link UnsupportedOperationException}.
     */
    default void truncate(int length) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot truncate its cache");
    }

    /** Frees the KV cache; the sequence cannot be used afterwards. */
    @Override
    void close();
}
