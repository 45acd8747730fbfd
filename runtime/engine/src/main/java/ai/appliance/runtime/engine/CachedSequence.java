package ai.appliance.runtime.engine;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.function.IntFunction;

/**
 * What every architecture's sequence shares: its length and capacity, its logits buffer, truncation and closing under
 * the owning model's lock (a forward pass holds it, so a cache never vanishes under one), and the checks of a batch
 * that {@link LanguageModel#forward} must make before it changes anything. Subclasses add their cache.
 */
public abstract class CachedSequence implements Sequence {
    private final Object owner;
    private final int capacity;
    private float[] logits;
    private int length;

    protected CachedSequence(Object owner, int capacity, int vocabulary) {
        this.owner = owner;
        this.capacity = capacity;
        this.logits = new float[vocabulary];
    }

    @Override
    public final int length() {
        return length;
    }

    @Override
    public final int capacity() {
        return capacity;
    }

    @Override
    public final void truncate(int newLength) {
        synchronized (owner) {
            if (newLength < 0 || newLength > length) {
                throw new IllegalArgumentException("cannot truncate a sequence of " + length + " positions to " + newLength);
            }
            length = newLength; // positions from here on are overwritten by the next forward
        }
    }

    @Override
    public final KvRows copyRows(int from, int count) {
        synchronized (owner) {
            if (closed()) throw new IllegalStateException("the sequence is closed");
            if (from < 0 || count < 1 || from + count > length) {
                throw new IllegalArgumentException("cannot copy positions " + from + ".." + (from + count - 1)
                        + " of a sequence of " + length);
            }
            return readRows(from, count);
        }
    }

    @Override
    public final void appendRows(KvRows rows) {
        synchronized (owner) {
            if (closed()) throw new IllegalStateException("the sequence is closed");
            if (rows.source() != owner) {
                throw new IllegalArgumentException("the rows were computed by another model; a cache never mixes models");
            }
            if (rows.start() != length) {
                throw new IllegalArgumentException("rows of positions from " + rows.start()
                        + " cannot follow a sequence of " + length);
            }
            if (length + rows.count() > capacity) {
                throw new ContextOverflowException(length, rows.count(), capacity);
            }
            writeRows(rows);
            length += rows.count();
        }
    }

    /** A copy of the cache rows of {@code count} positions from {@code from} (checked, under the model's lock). */
    protected abstract KvRows readRows(int from, int count);

    /** Writes {@code rows} (checked: this model's, starting at {@link #length()}, fitting) at their positions. */
    protected abstract void writeRows(KvRows rows);

    /** Counts {@code tokens} more positions as processed (after a forward pass wrote their cache rows). */
    public final void advance(int tokens) {
        length += tokens;
    }

    /** The logits after the last appended token; the next forward of this sequence overwrites them. */
    public final float[] logits() {
        return logits;
    }

    public final boolean closed() {
        return logits == null;
    }

    /** Waits for a forward pass in progress (it holds the model's lock), then frees the cache. */
    @Override
    public final void close() {
        synchronized (owner) {
            logits = null;
            releaseCache();
        }
    }

    /** Drops the references to the cache arrays. */
    protected abstract void releaseCache();

    /**
     * The batch of one forward call, checked before anything changes: as many token lists as sequences, every sequence
     * created by {@code owner} (of {@code type}), open, in the batch once, given at least one token, every token in the
     * vocabulary, and room for them in its cache.
     *
     * @throws ContextOverflowException when a sequence would grow past its capacity
     */
    public static <S extends CachedSequence> S[] checkBatch(Object owner, Class<S> type, IntFunction<S[]> array,
                                                            List<Sequence> sequences, List<int[]> tokens, int vocabulary) {
        if (sequences.size() != tokens.size()) {
            throw new IllegalArgumentException(sequences.size() + " sequences but " + tokens.size() + " token lists");
        }
        var batch = array.apply(sequences.size());
        var seen = new IdentityHashMap<Sequence, Boolean>();
        for (int s = 0; s < batch.length; s++) {
            var sequence = sequences.get(s);
            if (!type.isInstance(sequence) || ((CachedSequence) sequence).owner != owner) {
                throw new IllegalArgumentException("sequence " + s + " was not created by this model");
            }
            var seq = type.cast(sequence);
            if (seq.closed()) throw new IllegalStateException("sequence " + s + " is closed");
            if (seen.put(seq, Boolean.TRUE) != null) throw new IllegalArgumentException("sequence " + s + " appears twice in one batch");
            int[] ids = tokens.get(s);
            if (ids.length == 0) throw new IllegalArgumentException("sequence " + s + " gets no tokens");
            for (int id : ids) {
                if (id < 0 || id >= vocabulary) {
                    throw new IllegalArgumentException("token id " + id + " is outside the vocabulary (0.." + (vocabulary - 1) + ")");
                }
            }
            if (seq.length() + ids.length > seq.capacity()) {
                throw new ContextOverflowException(seq.length(), ids.length, seq.capacity());
            }
            batch[s] = seq;
        }
        return batch;
    }
}
