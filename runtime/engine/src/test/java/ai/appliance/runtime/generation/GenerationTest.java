package ai.appliance.runtime.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.sampling.SamplerSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Drives a Generation with one-hot logits so the greedy sampler picks a scripted token each step. */
class GenerationTest {
    private static final String[] VOCABULARY = {"<eos>", "Hel", "lo ", "wor", "ld", "!", "l"};
    private static final int EOS = 0;

    private static final TokenTextDecoder DECODER = new TokenTextDecoder() {
        public String decode(int token) { return VOCABULARY[token]; }
        public String flush() { return ""; }
    };

    private static float[] pick(int token) {
        var logits = new float[VOCABULARY.length];
        logits[token] = 10f;
        return logits;
    }

    private static Generation generation(int maxTokens, List<String> stops, int capacity) {
        var settings = new GenerationSettings(SamplerSettings.greedy(), maxTokens, stops, Set.of(EOS));
        return new Generation(settings, new int[] {5, 5}, capacity, VOCABULARY.length, DECODER);
    }

    private static List<Step> run(Generation g, int... tokens) {
        var steps = new ArrayList<Step>();
        for (int t : tokens) {
            var step = g.next(pick(t));
            steps.add(step);
            if (step.finished()) break;
        }
        return steps;
    }

    @Test
    void stopStringAcrossTokensEndsGenerationAndIsNotEmitted() {
        var g = generation(20, List.of("lo w"), 100);
        var steps = run(g, 1, 2, 3, 4);
        assertEquals(3, steps.size());
        assertEquals(FinishReason.STOP_STRING, g.finishReason());
        assertEquals("Hel", g.text());
        // "l" could start "lo w", so it was held back until the next token decided.
        assertEquals("He", steps.get(0).text());
        assertEquals("l", steps.get(1).text());
        assertEquals("", steps.get(2).text());
    }

    @Test
    void heldBackTextIsReleasedWhenItTurnsOutNotToBeAStop() {
        var g = generation(20, List.of("lo w"), 100);
        var steps = run(g, 1, 2, 4, EOS);
        assertEquals("Hello ld", g.text());
        assertEquals(FinishReason.EOS, g.finishReason());
        assertEquals("", steps.get(3).text()); // the end-of-sequence token has no text
    }

    @Test
    void endOfSequenceTokenFinishesAndIsCountedButNotShown() {
        var g = generation(20, List.of(), 100);
        run(g, 1, 2, EOS, 3);
        assertEquals("Hello ", g.text());
        assertArrayEquals(new int[] {1, 2, EOS}, g.generatedTokens());
        assertTrue(g.finished());
    }

    @Test
    void maxTokensFinishesAndFlushesHeldText() {
        var g = generation(2, List.of("l!"), 100);
        var steps = run(g, 1, 6);
        assertEquals(FinishReason.MAX_TOKENS, g.finishReason());
        assertEquals("Hell", g.text());
        assertEquals("length", g.finishReason().apiName());
        assertEquals(2, steps.size());
    }

    @Test
    void fullSequenceFinishesWithContextLength() {
        var g = generation(20, List.of(), 4); // prompt of 2, room for 2 more positions
        run(g, 1, 2, 3, 4);
        assertEquals(FinishReason.CONTEXT_LENGTH, g.finishReason());
        assertEquals(2, g.generatedCount());
    }

    @Test
    void stepAfterFinishIsRefused() {
        var g = generation(1, List.of(), 100);
        run(g, 1);
        assertThrows(IllegalStateException.class, () -> g.next(pick(2)));
    }

    @Test
    void earliestOfSeveralStopStringsWins() {
        var g = generation(20, List.of("ld", "o w"), 100);
        run(g, 1, 2, 3, 4);
        assertEquals("Hell", g.text());
        assertEquals(FinishReason.STOP_STRING, g.finishReason());
        assertFalse(g.text().contains("o w"));
    }
}
