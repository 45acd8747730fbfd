package ai.appliance.runtime.engine;

/** One sequence's state in a {@link LanguageModel}: its KV cache and how many positions it holds. */
public interface Sequence extends AutoCloseable {

    /** Positions already processed. */
    int length();

    /** Positions the KV cache can hold. */
    int capacity();

    /** Frees the KV cache; the sequence cannot be used afterwards. */
    @Override
    void close();
}
