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

    /**
     * Whether {@link #copyRows} and {@link #appendRows} work: true for caches on the Java heap; a cache in device
     * memory says false, and prompts then run without the prefix cache.
     */
    default boolean copiesRows() {
        return false;
    }

    /** A copy of the cache rows of positions {@code from .. from + count - 1}, all already processed. */
    default KvRows copyRows(int from, int count) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot copy its cache rows");
    }

    /**
     * Writes {@code rows} at the end of the cache as if their tokens had been run through the model, and advances the
     * length by their count. The rows must come from a sequence of the same model and start at {@link #length()}.
     */
    default void appendRows(KvRows rows) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot append cache rows");
    }

    /** Frees the KV cache; the sequence cannot be used afterwards. */
    @Override
    void close();
}
