package ai.appliance.runtime.bench;

import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.engine.Sequence;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * Runs llama-bench style tests on a {@link LanguageModel}: each test unmeasured first (JIT warm-up,
 * page cache), then {@code repetitions} measured runs on a fresh sequence each. Token ids are
 * random (seeded) so the measurement does not depend on a tokenizer or prompt.
 *
 * <p>The warm-up runs the test as often as it takes to compute {@link #WARM_UP_TOKENS} tokens: C2
 * compiles the layer code only after some dozens of calls, and one run of a short test (tg16) left
 * its measured runs partly interpreted (4.2 tokens/s where a tg128 gave 12 on the same machine).
 */
public final class Bench {
    static final int WARM_UP_TOKENS = 64;
    private final LanguageModel model;
    private final int repetitions;
    private final SplittableRandom random = new SplittableRandom(1234);

    public Bench(LanguageModel model, int repetitions) {
        if (repetitions < 1) throw new IllegalArgumentException("repetitions must be at least 1, got " + repetitions);
        this.model = model;
        this.repetitions = repetitions;
    }

    /** Measures {@code test}; {@code onToken} hears the tokens done so far in each run (of all sequences) (for a progress bar). */
    public Stats run(BenchTest test, LongConsumer onToken) {
        int context = model.config().contextLength();
        if (test.tokens() > context) {
            throw new IllegalArgumentException(test.label() + " needs " + test.tokens() + " positions but the model's context is " + context);
        }
        for (int w = 0; w < warmUpRuns(test); w++) once(test, onToken);
        var samples = new double[repetitions];
        for (int r = 0; r < repetitions; r++) {
            long nanos = once(test, onToken);
            samples[r] = test.totalTokens() / (nanos / 1e9);
        }
        return Stats.of(samples);
    }

    /** Unmeasured runs before the measured ones: enough to compute {@link #WARM_UP_TOKENS} tokens, at least one. */
    public static int warmUpRuns(BenchTest test) {
        return (int) Math.max(1, (WARM_UP_TOKENS + test.totalTokens() - 1) / test.totalTokens());
    }

    private long once(BenchTest test, LongConsumer onToken) {
        var sequences = new ArrayList<Sequence>();
        try {
            for (int s = 0; s < test.sequences(); s++) sequences.add(model.newSequence(test.tokens()));
            var ids = new ArrayList<int[]>();
            for (int s = 0; s < test.sequences(); s++) ids.add(randomIds(test.tokens()));
            // Generation feeds one token per sequence per call: those inputs are built before the clock starts.
            var steps = new ArrayList<List<int[]>>();
            if (test.kind() == BenchTest.Kind.GENERATION) {
                for (int i = 0; i < test.tokens(); i++) {
                    var step = new ArrayList<int[]>();
                    for (int[] sequenceIds : ids) step.add(new int[]{sequenceIds[i]});
                    steps.add(step);
                }
            }
            long start = System.nanoTime();
            if (test.kind() == BenchTest.Kind.PROMPT) {
                model.forward(sequences, ids);
                onToken.accept(test.tokens());
            } else {
                for (int i = 0; i < steps.size(); i++) {
                    model.forward(sequences, steps.get(i));
                    onToken.accept((long) (i + 1) * test.sequences());
                }
            }
            return System.nanoTime() - start;
        } finally {
            for (var sequence : sequences) sequence.close();
        }
    }

    private int[] randomIds(int n) {
        var ids = new int[n];
        for (int i = 0; i < n; i++) ids[i] = random.nextInt(model.config().vocabularySize());
        return ids;
    }
}
