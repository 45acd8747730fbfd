package ai.appliance.runtime.arch;

import ai.appliance.runtime.backend.Backend;
import ai.appliance.runtime.engine.CachedSequence;
import ai.appliance.runtime.tensor.Tensor;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.function.IntFunction;

/**
 * How every decoder walks one forward call: the tokens of all sequences go through the layers together in chunks of
 * at most {@code capacity}, so each weight is read once per chunk. For each slot of a chunk it records the sequence,
 * the position and whether the token ends its sequence's part of the call (those get logits).
 */
public final class TokenChunks<S extends CachedSequence> {
    /** The sequence of each slot of the chunk being run. */
    public final S[] sequences;
    /** The position of each slot's token in its sequence. */
    public final int[] positions;
    /** Whether each slot's token is the last of its sequence in this call. */
    public final boolean[] emitsLogits;

    public TokenChunks(int capacity, IntFunction<S[]> array) {
        this.sequences = array.apply(capacity);
        this.positions = new int[capacity];
        this.emitsLogits = new boolean[capacity];
    }

    /**
     * Appends {@code tokens.get(i)} to {@code batch[i]}: gathers each token's row of {@code embedding} into {@code x}
     * (rows of {@code width}), calls {@code runChunk} with the slot count whenever a chunk is full and once for the
     * rest, then advances every sequence.
     *
     * @return each sequence's logits buffer
     */
    public float[][] forward(S[] batch, List<int[]> tokens, Backend backend, Tensor embedding, float[] x, int width,
                             IntConsumer runChunk) {
        int filled = 0;
        for (int s = 0; s < batch.length; s++) {
            int[] ids = tokens.get(s);
            for (int i = 0; i < ids.length; i++) {
                sequences[filled] = batch[s];
                positions[filled] = batch[s].length() + i;
                emitsLogits[filled] = i == ids.length - 1;
                backend.gatherRow(embedding, ids[i], x, filled * width);
                if (++filled == positions.length) {
                    runChunk.accept(filled);
                    filled = 0;
                }
            }
        }
        if (filled > 0) runChunk.accept(filled);
        var logits = new float[batch.length][];
        for (int s = 0; s < batch.length; s++) {
            batch[s].advance(tokens.get(s).length);
            logits[s] = batch[s].logits();
        }
        return logits;
    }
}
