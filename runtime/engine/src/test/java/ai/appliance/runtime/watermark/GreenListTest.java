package ai.appliance.runtime.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class GreenListTest {
    static final WatermarkKey KEY = WatermarkKey.fromHex("a1".repeat(32));
    static final WatermarkKey OTHER_KEY = WatermarkKey.fromHex("a1".repeat(31) + "a2");
    /** The 1.5B distills' vocabulary. */
    static final int VOCABULARY = 151936;

    private static boolean[] greens(WatermarkKey key, double gamma, int context, int... preceding) {
        var list = new GreenList(key, gamma, context);
        long seed = list.seed(preceding, preceding.length);
        var green = new boolean[VOCABULARY];
        for (int token = 0; token < VOCABULARY; token++) green[token] = list.isGreen(seed, token);
        return green;
    }

    private static double share(boolean[] green) {
        int n = 0;
        for (boolean g : green) if (g) n++;
        return (double) n / green.length;
    }

    /** Share of tokens on which two lists agree (both green or both red). */
    private static double agreement(boolean[] a, boolean[] b) {
        int same = 0;
        for (int i = 0; i < a.length; i++) if (a[i] == b[i]) same++;
        return (double) same / a.length;
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.1, 0.25, 0.5})
    void greenShareOfTheVocabularyIsGammaAfterEveryContext(double gamma) {
        // Binomial standard deviation of the share over 151936 tokens; 5 of them is a bound a correct list never meets.
        double bound = 5 * Math.sqrt(gamma * (1 - gamma) / VOCABULARY);
        for (int previous = 0; previous < 40; previous++) {
            double share = share(greens(KEY, gamma, 1, previous * 3797));
            assertEquals(gamma, share, bound, "after token " + previous * 3797);
        }
    }

    @Test
    void theSameKeyAndContextGiveTheSameListAnotherKeyOrContextAnIndependentOne() {
        var list = greens(KEY, 0.25, 1, 42);
        assertEquals(1.0, agreement(list, greens(WatermarkKey.fromHex("a1".repeat(32)), 0.25, 1, 42)));
        // Independent lists of share 0.25 agree on 0.25² + 0.75² = 62.5 % of the tokens.
        double independent = 0.25 * 0.25 + 0.75 * 0.75;
        assertEquals(independent, agreement(list, greens(OTHER_KEY, 0.25, 1, 42)), 0.01, "another key");
        assertEquals(independent, agreement(list, greens(KEY, 0.25, 1, 43)), 0.01, "another preceding token");
    }

    @Test
    void aWiderContextSeedsFromAllItsTokensAndANarrowOneOnlyFromTheLast() {
        assertEquals(1.0, agreement(greens(KEY, 0.25, 1, 7, 42), greens(KEY, 0.25, 1, 8, 42)), "h = 1 ignores token -2");
        assertEquals(0.625, agreement(greens(KEY, 0.25, 2, 7, 42), greens(KEY, 0.25, 2, 8, 42)), 0.01,
                "h = 2 depends on token -2");
    }

    @Test
    void biasAddsDeltaToExactlyTheGreenTokensAndKeepsMaskedOnesMasked() {
        var list = new GreenList(KEY, 0.25, 1);
        long seed = list.seed(new int[] {99}, 1);
        // An odd size, so that the scalar loop after the vectors runs too.
        var logits = new float[VOCABULARY + 5];
        for (int i = 0; i < logits.length; i++) logits[i] = (i % 7) - 3.5f;
        logits[5] = Float.NEGATIVE_INFINITY;
        var biased = logits.clone();
        list.bias(seed, biased, 2f);
        for (int token = 0; token < logits.length; token++) {
            float expected = list.isGreen(seed, token) ? logits[token] + 2f : logits[token];
            assertEquals(expected, biased[token], "token " + token);
        }
        assertTrue(biased[5] == Float.NEGATIVE_INFINITY);
    }
}
