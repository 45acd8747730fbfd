package ai.appliance.runtime.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
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

    /** The nucleus by a full sort: most likely first (ties: lower id), until the mass reaches topP of the total. */
    private static Set<Integer> referenceNucleus(float[] logits, double temperature, double topP) {
        Integer[] order = new Integer[logits.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> logits[a] != logits[b] ? Float.compare(logits[b], logits[a]) : Integer.compare(a, b));
        float max = logits[order[0]];
        double total = 0;
        for (float l : logits) total += Math.exp((l - max) / temperature);
        var nucleus = new HashSet<Integer>();
        double cumulative = 0;
        for (int id : order) {
            nucleus.add(id);
            cumulative += Math.exp((logits[id] - max) / temperature);
            if (cumulative >= topP * total) break;
        }
        return nucleus;
    }

    /** The token ids {@link Nucleus} selects. */
    private static Set<Integer> nucleusOf(float[] logits, double temperature, double topP) {
        var ids = new int[logits.length];
        int n = new Nucleus(logits.length).select(logits, logits[Sampler.argmax(logits)], temperature, topP, ids, new float[logits.length]);
        var set = new HashSet<Integer>();
        for (int i = 0; i < n; i++) assertTrue(set.add(ids[i]), "token " + ids[i] + " twice");
        return set;
    }

    /** A Qwen-sized vocabulary of nearly flat logits (a random-weight model), with some -Infinity and far outliers. */
    private static float[] flatVocabulary(long seed) {
        var random = new Random(seed);
        var logits = new float[151_936];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (random.nextGaussian() * 0.3);
        for (int i = 0; i < 50; i++) logits[random.nextInt(logits.length)] = Float.NEGATIVE_INFINITY;
        logits[7] = -60;
        logits[8] = -1e30f;
        return logits;
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
        // Flat enough that the nucleus holds hundreds of tokens, so it is not just the top few.
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
    void topPOverAFlatFullVocabularySelectsExactlyTheNucleusOfAFullSort() {
        var logits = flatVocabulary(3);
        for (double topP : new double[] {0.95, 0.5, 0.999}) {
            var expected = referenceNucleus(logits, 0.7, topP);
            var selected = nucleusOf(logits, 0.7, topP);
            assertEquals(expected.size(), selected.size(), "top-p " + topP);
            var missing = new HashSet<>(expected);
            missing.removeAll(selected);
            assertEquals(Set.of(), missing, "top-p " + topP + ": tokens of the nucleus left out");
        }
    }

    @Test
    void topPOverAFullVocabularyDrawsEveryTokenOfTheNucleusAndNoOther() {
        // A head of a few dozen likely tokens over a long flat tail: the nucleus is small enough to be seen whole.
        var random = new Random(11);
        var logits = new float[151_936];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (random.nextGaussian() - 12);
        for (int i = 0; i < 40; i++) logits[random.nextInt(logits.length)] = (float) (random.nextGaussian() * 0.3 + 2);
        var nucleus = referenceNucleus(logits, 0.7, 0.9);
        assertTrue(nucleus.size() > 20 && nucleus.size() < 40, "nucleus of " + nucleus.size());
        var sampler = new Sampler(plain().temperature(0.7).topP(0.9).build(), logits.length);
        var drawn = new HashSet<Integer>();
        for (int i = 0; i < 1_000; i++) drawn.add(sampler.sample(logits, NO_HISTORY, 0));
        assertEquals(nucleus, drawn);
    }

    @Test
    void topPDrawsFollowTheRenormalisedNucleus() {
        double[] p = {0.06, 0.3, 0.12, 0.2, 0.04, 0.15, 0.1, 0.03};
        double temperature = 0.8;
        var logits = logitsOf(p);
        var nucleus = referenceNucleus(logits, temperature, 0.8);
        assertEquals(Set.of(1, 3, 5, 2), nucleus); // p^(1/T), normalised: 0.35, 0.21, 0.15, 0.11 (cumulative 0.82), ...
        double mass = 0;
        for (int id : nucleus) mass += Math.pow(p[id], 1 / temperature);
        int draws = 40_000;
        var counts = histogram(plain().temperature(temperature).topP(0.8).build(), logits, draws);
        for (int i = 0; i < p.length; i++) {
            double expected = nucleus.contains(i) ? Math.pow(p[i], 1 / temperature) / mass : 0;
            assertEquals(expected, counts[i] / (double) draws, 0.01, "token " + i + " of " + Arrays.toString(counts));
        }
    }

    @Test
    void tinyTopPKeepsOnlyTheMostLikelyTheLowestIdOnTies() {
        var counts = histogram(plain().topP(1e-9).build(), new float[] {1, 3, 2, 3, -1}, 500);
        assertEquals(500, counts[1], Arrays.toString(counts));
        var flat = flatVocabulary(5);
        assertEquals(Set.of(Sampler.argmax(flat)), nucleusOf(flat, 0.7, 1e-9));
    }

    @Test
    void topPJustBelowOneKeepsEveryTokenThatCanBeDrawn() {
        double[] p = {0.4, 0.3, 0.2, 0.0999, 0.0001};
        var logits = Arrays.copyOf(logitsOf(p), 6);
        logits[5] = Float.NEGATIVE_INFINITY;
        assertEquals(Set.of(0, 1, 2, 3, 4), nucleusOf(logits, 1, Math.nextDown(1.0)));
        var counts = histogram(plain().topP(Math.nextDown(1.0)).build(), logits, 20_000);
        for (int i = 0; i < 4; i++) assertEquals(p[i], counts[i] / 20_000.0, 0.015, "token " + i);
        assertEquals(0, counts[5]);
    }

    @Test
    void topPOverEqualLogitsKeepsTheLowestIds() {
        var logits = new float[151_936];
        Arrays.fill(logits, 0.25f);
        var selected = nucleusOf(logits, 0.7, 0.95);
        int size = (int) Math.ceil(0.95 * logits.length);
        assertEquals(size, selected.size());
        for (int i = 0; i < size; i++) assertTrue(selected.contains(i), "token " + i);
        var sampler = new Sampler(plain().temperature(0.7).topP(0.95).build(), logits.length);
        for (int i = 0; i < 200; i++) assertTrue(sampler.sample(logits, NO_HISTORY, 0) < size);
    }

    @Test
    void topPNeverDrawsMinusInfinity() {
        var logits = new float[] {Float.NEGATIVE_INFINITY, 0.5f, Float.NEGATIVE_INFINITY, 0.5f, Float.NEGATIVE_INFINITY};
        var counts = histogram(plain().topP(0.99).build(), logits, 2_000);
        assertEquals(0, counts[0] + counts[2] + counts[4], Arrays.toString(counts));
        assertTrue(counts[1] > 800 && counts[3] > 800, Arrays.toString(counts));
        var alone = new float[] {Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, -3f, Float.NEGATIVE_INFINITY};
        assertEquals(200, histogram(plain().topP(0.9).build(), alone, 200)[2]);
    }

    @Test
    void topPOverAVocabularyOfOneDrawsIt() {
        var sampler = new Sampler(plain().topP(0.5).build(), 1);
        for (int i = 0; i < 10; i++) assertEquals(0, sampler.sample(new float[] {-2f}, NO_HISTORY, 0));
    }

    @Test
    void minPOfOneAfterTopPKeepsTheMostLikelyAndItsTies() {
        // The most likely token's relative probability must be exactly 1, or min-p 1 would drop everything.
        var counts = histogram(plain().topP(0.95).minP(1).build(), new float[] {0.1f, 2f, 1.9f, 2f}, 2_000);
        assertEquals(0, counts[0] + counts[2], Arrays.toString(counts));
        assertTrue(counts[1] > 800 && counts[3] > 800, Arrays.toString(counts));
        var flat = flatVocabulary(9);
        var sampler = new Sampler(plain().temperature(0.7).topP(0.95).minP(1).build(), flat.length);
        assertEquals(Sampler.argmax(flat), sampler.sample(flat, NO_HISTORY, 0));
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

    /** Masks every token outside {@code allowed} and records what the sampler chose. */
    private static final class AllowOnly implements LogitsProcessor {
        private final Set<Integer> allowed;
        private int accepted = -1;

        AllowOnly(Set<Integer> allowed) {
            this.allowed = allowed;
        }

        @Override
        public void process(float[] logits, int[] context, int length) {
            for (int i = 0; i < logits.length; i++) if (!allowed.contains(i)) logits[i] = Float.NEGATIVE_INFINITY;
        }

        @Override
        public void accept(int token) {
            accepted = token;
        }
    }

    @Test
    void maskedTokensAreNeverDrawnUnderAnySettings() {
        var random = new Random(3);
        var logits = new float[2_000];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (random.nextGaussian() * 2);
        // The allowed tokens are few and mostly unlikely: top-k and top-p then reach into masked ones.
        var allowed = Set.of(3, 17, 500, 1_999);
        assertTrue(!allowed.contains(Sampler.argmax(logits)), "the most likely token is a masked one");
        var settings = java.util.List.of(SamplerSettings.greedy(), plain().build(), plain().topK(50).build(),
                plain().topK(1_000).topP(0.9).build(), plain().topP(0.5).build(), plain().minP(0.01).build(),
                plain().temperature(0.2).topK(5).build(), plain().temperature(2).minP(0.001).topP(0.99).build(),
                SamplerSettings.builder().seed(1L).build());
        for (var setting : settings) {
            for (long seed = 0; seed < 200; seed++) {
                var mask = new AllowOnly(allowed);
                var sampler = new Sampler(setting.toBuilder().seed(seed).build(), logits.length, java.util.List.of(mask));
                int token = sampler.sample(logits, NO_HISTORY, 0);
                assertTrue(allowed.contains(token), setting + " drew masked token " + token);
                assertEquals(token, mask.accepted, "the processor is told which token was drawn");
            }
        }
    }

    @Test
    void greedyUnderAMaskTakesTheBestAllowedToken() {
        var mask = new AllowOnly(Set.of(0, 2));
        var sampler = new Sampler(SamplerSettings.greedy(), 4, java.util.List.of(mask));
        assertEquals(2, sampler.sample(new float[] {1f, 9f, 3f, 8f}, NO_HISTORY, 0));
    }

    @Test
    void aDrawThatRoundingCarriesPastTheSumTakesTheLastPossibleCandidateNotAMaskedOne() {
        // Candidates kept by top-k in order of probability: the last one is masked (probability 0).
        var candidates = new int[] {5, 6, 7};
        var probabilities = new float[] {0.5f, 0.5f, 0f};
        assertEquals(6, Sampler.pick(candidates, probabilities, 3, 1.0));
        assertEquals(5, Sampler.pick(candidates, probabilities, 3, 0.25));
        assertThrows(IllegalStateException.class, () -> Sampler.pick(candidates, new float[3], 3, 0));
    }
}
