package ai.appliance.runtime.scheduler;

import ai.appliance.runtime.arch.llama.LlamaConfig;
import ai.appliance.runtime.engine.ContextOverflowException;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.arch.llama.LlamaVariant;
import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.model.RopeStyle;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Test double of the engine for scheduler unit tests: the "next token" is always last token + 1, and it
 * records what every forward call received so tests can check how steps were batched.
 */
final class CountingModel implements LanguageModel {

    static final int VOCAB = 64;

    record Call(int sequences, List<Integer> tokensPerSequence) { }

    final List<Call> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger openSequences = new AtomicInteger();
    volatile long stepMillis = 1;
    volatile RuntimeException failNext;
    /** What {@link #sequenceBytes} charges per position; 0 keeps KV caches off the budget. */
    volatile long bytesPerPosition;
    private final ModelConfig config;

    CountingModel(int contextLength) {
        config = new LlamaConfig(LlamaVariant.QWEN2, VOCAB, 8, 16, 1, 2, 1, 4, 1e-6f, 10000,
                RopeStyle.HALVES, null, null, contextLength, true);
    }

    @Override
    public ModelConfig config() {
        return config;
    }

    @Override
    public Sequence newSequence(int capacity) {
        openSequences.incrementAndGet();
        return new FakeSequence(capacity);
    }

    @Override
    public long sequenceBytes(int capacity) {
        return capacity * bytesPerPosition;
    }

    @Override
    public float[][] forward(List<Sequence> sequences, List<int[]> tokens) {
        var failure = failNext;
        if (failure != null) {
            failNext = null;
            throw failure;
        }
        for (int i = 0; i < sequences.size(); i++) {
            var s = (FakeSequence) sequences.get(i);
            if (s.length + tokens.get(i).length > s.capacity) {
                throw new ContextOverflowException(s.length, tokens.get(i).length, s.capacity);
            }
        }
        calls.add(new Call(sequences.size(), tokens.stream().map(t -> t.length).toList()));
        var out = new float[sequences.size()][];
        for (int i = 0; i < sequences.size(); i++) {
            var s = (FakeSequence) sequences.get(i);
            var t = tokens.get(i);
            s.length += t.length;
            out[i] = new float[VOCAB];
            out[i][(t[t.length - 1] + 1) % VOCAB] = 1f;
        }
        try {
            Thread.sleep(stepMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out;
    }

    int maxBatchSeen() {
        return calls.stream().mapToInt(Call::sequences).max().orElse(0);
    }

    @Override
    public void close() {
    }

    private final class FakeSequence implements Sequence {
        final int capacity;
        int length;
        boolean closed;

        FakeSequence(int capacity) {
            this.capacity = capacity;
        }

        @Override
        public int length() {
            return length;
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                openSequences.decrementAndGet();
            }
        }
    }
}
