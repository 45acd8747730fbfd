package ai.appliance.runtime.grammar;

import ai.appliance.runtime.sampling.LogitsProcessor;
import java.util.function.Function;

/**
 * Keeps one sequence's output inside a grammar: before each draw every token the grammar does not allow from the
 * current state gets {@code -Infinity}, so it cannot be sampled (greedy or not); after the draw the chosen token's
 * bytes advance the state. Once the grammar's value is complete only the stop tokens remain. One per sequence.
 */
public final class GrammarMask implements LogitsProcessor {
    private final VocabularyTrie vocabulary;
    private final MaskCache cache;
    /** vocabulary::allowed, made once: a method reference per decode step would be an allocation per token. */
    private final Function<GrammarState, long[]> allowedTokens;
    private GrammarState state;

    public GrammarMask(Rule grammar, VocabularyTrie vocabulary, MaskCache cache) {
        this.vocabulary = vocabulary;
        this.cache = cache;
        this.allowedTokens = vocabulary::allowed;
        this.state = GrammarState.start(grammar);
    }

    @Override
    public void process(float[] logits, int[] context, int length) {
        if (logits.length != vocabulary.logitCount()) {
            throw new IllegalArgumentException("logits hold " + logits.length + " values; the mask covers "
                    + vocabulary.logitCount());
        }
        var mask = cache.get(state, allowedTokens);
        for (int w = 0; w < mask.length; w++) {
            long allowed = mask[w];
            if (allowed == -1L) continue;
            int base = w << 6;
            int end = Math.min(64, logits.length - base);
            for (int bit = 0; bit < end; bit++) {
                if ((allowed & (1L << bit)) == 0) logits[base + bit] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    @Override
    public void accept(int token) {
        if (vocabulary.isStop(token)) return; // generation ends here
        var next = state.advance(vocabulary.bytes(token));
        if (next == null) {
            throw new IllegalStateException("token " + token + " was drawn outside the grammar at " + state);
        }
        state = next;
    }

    /** Where the output stands (for tests and diagnostics). */
    public GrammarState state() {
        return state;
    }
}
