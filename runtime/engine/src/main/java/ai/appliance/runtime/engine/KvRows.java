package ai.appliance.runtime.engine;

/**
 * A copy of the KV-cache rows of a run of positions of one sequence, taken with {@link Sequence#copyRows} and
 * written into another sequence of the same model with {@link Sequence#appendRows}: the prefix cache keeps these for
 * prompt blocks that many requests share. Rows are position-specific (rotary embeddings are applied before caching),
 * so they can only be appended at the position they were copied from.
 */
public interface KvRows {

    /** The first position the rows belong to. */
    int start();

    /** Positions the rows cover. */
    int count();

    /** Heap bytes the copy takes. */
    long bytes();

    /** The model whose forward pass computed the rows; no other model's sequence accepts them. */
    LanguageModel source();
}
