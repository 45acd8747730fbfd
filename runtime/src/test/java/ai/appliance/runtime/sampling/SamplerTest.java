package ai.appliance.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final int[] NO_HISTORY = new int[0];

    /** Logits whose softmax is exactly the given probabilities. */
    private static float[] logitsOf(double... probabilities) {
        var logits = new float[probabilities.length];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) Math.log(probabilities[i]);
        return logits;
    }

    private static int[] histogram(SamplerSettings settings, float[] logits, int draws) {
        var sampler = new Sampler(settings, logits.length);
        var counts = new int[logits.length];
        for (int i = 0; i < draws; i++) counts[sampler.sample(logits, NO_HISTORY, 0)]++;
        return counts;
    }

    private static SamplerSettings.Builder plain() {
        return SamplerSettings.builder().temperature(1).topP(1).topK(0).minP(0).seed(1L);
    }

    @Test
    void greedyPicksTheLargestLogitAndTheLowestIdOnTies() {
        var sampler = new Sampler(SamplerSettings.greedy(), 5);
        assertEquals(3, sampler.sample(new float[] {0, 1, 2, 5, 4}, NO_HISTORY, 0));
        assertEquals(1, sampler.sample(new float[] {0, 7, 2, 7, 4}, NO_HISTORY, 0));
    }

    @Test
    void sameSeedGivesTheSameTokensAndAnotherSeedOthers() {
        var logits = logitsOf(0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1);
        var a = new Sampler(plain().seed(99L).build(), 10);
        var b = new Sampler(plain().seed(99L).build(), 10);
        var c = new Sampler(plain().seed(100L).build(), 10);
        var fromA = new int[64];
        var fromB = new int[64];
        var fromC = new int[64];
        for (int i = 0; i < 64; i++) {
            fromA[i] = a.sample(logits, NO_HISTORY, 0);
            fromB[i] = b.sample(logits, NO_HISTORY, 0);
            fromC[i] = c.sample(logits, NO_HISTORY, 0);
        }
        assertEquals(Arrays.toString(fromA), Arrays.toString(fromB));
        assertNotEquals(Arrays.toString(fromA), Arrays.toString(fromC));
    }

    @Test
    void drawsFollowTheSoftmaxDistribution() {
        double[] p = {0.5, 0.3, 0.15, 0.05};
        var counts = histogram(plain().build(), logitsOf(p), 20_000);
        for (int i = 0; i < p.length; i++) assertEquals(p[i], counts[i] / 20_000.0, 0.015, "token " + i);
    }

    @Test
    void topKKeepsOnlyTheKMostLikely() {
        var counts = histogram(plain().topK(2).build(), logitsOf(0.3, 0.1, 0.35, 0.25), 5_000);
        assertEquals(0, counts[1]);
        assertEquals(0, counts[3]);
        assertTrue(counts[0] > 1_000 && counts[2] > 1_000, Arrays.toString(counts));
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // Cumulative 0.5, 0.8: p = 0.7 keeps tokens 0 and 1 only.
        var counts = histogram(plain().topP(0.7).build(), logitsOf(0.5, 0.3, 0.15, 0.05), 5_000);
        assertEquals(0, counts[2] + counts[3]);
        assertEquals(0.5 / 0.8, counts[0] / 5_000.0, 0.03);
    }

    @Test
    void topPOverALargeVocabularyKeepsExactlyTheNucleus() {
        // Flat enough that the nucleus holds hundreds of tokens: the sampler must widen its partial selection.
        var random = new java.util.Random(17);
        int vocabulary = 3000;
        var logits = new float[vocabulary];
        for (int i = 0; i < vocabulary; i++) logits[i] = (float) (random.nextGaussian() * 1.5);
        double topP = 0.5;
        Integer[] order = new Integer[vocabulary];
        for (int i = 0; i < vocabulary; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Float.compare(logits[b], logits[a]));
        double total = 0;
        for (float l : logits) total += Math.exp(l);
        var nucleus = new java.util.HashSet<Integer>();
        double cumulative = 0;
        for (int id : order) {
            nucleus.add(id);
            cumulative += Math.exp(logits[id]) / total;
            if (cumulative >= topP) break;
        }
        assertTrue(nucleus.size() > 64, "nucleus of " + nucleus.size());
        var sampler = new Sampler(plain().topP(topP).build(), vocabulary);
        var drawn = new java.util.HashSet<Integer>();
        for (int i = 0; i < 6_000; i++) drawn.add(sampler.sample(logits, NO_HISTORY, 0));
        assertTrue(nucleus.containsAll(drawn), "drew a token outside the nucleus");
        assertTrue(drawn.size() > nucleus.size() * 0.9, drawn.size() + " of " + nucleus.size());
    }

    @Test
    void minPDropsTokensFarLessLikelyThanTheBest() {
        // Threshold 0.5 * 0.5 = 0.25 keeps 0.5 and 0.3 only.
        var counts = histogram(plain().minP(0.5).build(), logitsOf(0.5, 0.3, 0.15, 0.05), 5_000);
        assertEquals(0, counts[2] + counts[3]);
        assertTrue(counts[1] > 1_000);
    }

    @Test
    void lowerTemperatureSharpensHigherFlattens() {
        var logits = logitsOf(0.5, 0.3, 0.15, 0.05);
        int cold = histogram(plain().temperature(0.5).build(), logits, 10_000)[0];
        int neutral = histogram(plain().temperature(1).build(), logits, 10_000)[0];
        int hot = histogram(plain().temperature(2).build(), logits, 10_000)[0];
        assertTrue(cold > neutral + 500 && neutral > hot + 500, cold + " " + neutral + " " + hot);
    }

    @Test
    void repetitionPenaltyDividesPositiveAndMultipliesNegativeLogits() {
        var settings = SamplerSettings.builder().temperature(0).repetitionPenalty(2).build();
        var sampler = new Sampler(settings, 3);
        // Token 0 (2.0) seen before becomes 1.0 < 1.5.
        assertEquals(1, sampler.sample(new float[] {2f, 1.5f, -1f}, new int[] {0}, 1));
        // Token 1 (-0.5) seen becomes -1.0 < -0.8.
        assertEquals(2, sampler.sample(new float[] {-3f, -0.5f, -0.8f}, new int[] {1, 1}, 2));
    }

    @Test
    void presenceAndFrequencyPenaltiesSubtractPerTokenAndPerOccurrence() {
        var presence = new Sampler(SamplerSettings.builder().temperature(0).presencePenalty(0.5).build(), 2);
        assertEquals(1, presence.sample(new float[] {1f, 0.6f}, new int[] {0, 0, 0}, 3));
        assertEquals(0, presence.sample(new float[] {1f, 0.4f}, new int[] {0, 0, 0}, 3));
        var frequency = new Sampler(SamplerSettings.builder().temperature(0).frequencyPenalty(0.2).build(), 2);
        assertEquals(0, frequency.sample(new float[] {1f, 0.5f}, new int[] {0, 0}, 2)); // 1 - 0.4 = 0.6
        assertEquals(1, frequency.sample(new float[] {1f, 0.5f}, new int[] {0, 0, 0}, 3)); // 1 - 0.6 = 0.4
    }

    @Test
    void penaltiesOnlySeeTheWindowOfLatestTokens() {
        var settings = SamplerSettings.builder().temperature(0).presencePenalty(1).penaltyWindow(2).build();
        var sampler = new Sampler(settings, 3);
        // Token 0 is outside the last two tokens, so it keeps its lead.
        assertEquals(0, sampler.sample(new float[] {1f, 0.8f, 0f}, new int[] {0, 2, 2}, 3));
        assertEquals(1, sampler.sample(new float[] {1f, 0.8f, 0f}, new int[] {2, 2, 0}, 3));
    }

    @Test
    void callersLogitsAreNotModified() {
        var logits = new float[] {1f, 2f, 3f};
        new Sampler(SamplerSettings.builder().repetitionPenalty(3).seed(1L).build(), 3).sample(logits, new int[] {2}, 1);
        assertEquals("[1.0, 2.0, 3.0]", Arrays.toString(logits));
    }

    @Test
    void invalidSettingsAreRejectedWithTheirName() {
        var e = assertThrows(IllegalArgumentException.class, () -> SamplerSettings.builder().topP(0).build());
        assertTrue(e.getMessage().contains("top-p"));
        assertThrows(IllegalArgumentException.class, () -> SamplerSettings.builder().temperature(-1).build());
        assertThrows(IllegalArgumentException.class, () -> SamplerSettings.builder().minP(2).build());
        assertThrows(IllegalArgumentException.class, () -> SamplerSettings.builder().repetitionPenalty(0).build());
    }
}
