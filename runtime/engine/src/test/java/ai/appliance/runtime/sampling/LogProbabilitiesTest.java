package ai.appliance.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Log-softmax of the raw logits: the chosen token's value, and the most likely tokens in order. */
class LogProbabilitiesTest {

    @Test
    void logProbabilitiesAreLogSoftmaxOfTheLogits() {
        var random = new SplittableRandom(7);
        var logits = new float[1000];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (random.nextGaussian() * 4 + 30);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l);
        var result = LogProbabilities.of(logits, 17, 5);
        assertEquals(logits[17] - Math.log(sum), result.logprob(), 1e-9);
        double total = 0;
        for (int id = 0; id < logits.length; id++) total += Math.exp(LogProbabilities.of(logits, id, 0).logprob());
        assertEquals(1.0, total, 1e-9);
    }

    @Test
    void topTokensAreTheMostLikelyFirstWithTiesToTheLowerId() {
        var logits = new float[] {1, 5, 3, 5, -2, 4, 0};
        var result = LogProbabilities.of(logits, 4, 4);
        assertArrayEquals(new int[] {1, 3, 5, 2}, result.topTokens());
        assertEquals(result.topLogprobs()[0], result.topLogprobs()[1]);
        assertEquals(logits[5] - logits[1] + result.topLogprobs()[0], result.topLogprobs()[2], 1e-12);
        assertEquals(0, LogProbabilities.of(logits, 0, 0).topTokens().length);
        assertEquals(2, LogProbabilities.of(new float[] {1, 2}, 0, 20).topTokens().length, "at most the vocabulary");
    }

    @Test
    void aTopCountAboveTwentyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LogProbabilities.of(new float[] {1, 2}, 0, 21));
        assertThrows(IllegalArgumentException.class, () -> LogProbabilities.of(new float[] {1, 2}, 2, 1));
    }
}
