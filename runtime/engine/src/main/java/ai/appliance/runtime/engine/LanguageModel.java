package ai.appliance.runtime.engine;

import ai.appliance.runtime.model.ModelConfig;
import java.util.List;

/**
 * A loaded model that advances many sequences in one pass: the contract between the scheduler
 * (which batches requests) and a backend (CPU here; CUDA in the jetson and datacenter modules).
 *
 * <p>Decoding appends one token to each running sequence; prompt processing appends many tokens
 * to one sequence. Both go through {@link #forward}, so weights are read once per step for the
 * whole batch.
 */
public interface LanguageModel extends AutoCloseable {

    ModelConfig config();

    /** Allocates a sequence whose KV cache holds up to {@code capacity} positions (at most the context length). */
    Sequence newSequence(int capacity);

    /** Heap bytes a sequence of {@code capacity} positions takes (its KV cache and buffers); 0 if not on the heap. */
    default long sequenceBytes(int capacity) {
        return 0;
    }

    /**
     * Appends {@code tokens.get(i)} to {@code sequences.get(i)} for every i, in one batched pass.
     *
     * @return for each sequence, the logits (vocabulary size) after its last appended token; an implementation
     *         may return a buffer it reuses, so each array is valid until that sequence's next forward call
     * @throws ContextOverflowException when a sequence would grow past its capacity; no sequence changes then
     */
    float[][] forward(List<Sequence> sequences, List<int[]> tokens);

    @Override
    void close();
}
