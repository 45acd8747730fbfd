package ai.appliance.runtime.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WatermarkDetectorTest {
    private static final WatermarkKey KEY = WatermarkKey.fromHex("c4".repeat(32));
    private static final Watermark WATERMARK = new Watermark(KEY, WatermarkSettings.DEFAULTS);

    /** Tokens of which position i (from 1) is green exactly when {@code green[i - 1]}, each pair new. */
    private static int[] text(boolean... green) {
        var list = new GreenList(KEY, 0.25, 1);
        var tokens = new int[green.length + 1];
        tokens[0] = 1;
        int candidate = 100;
        for (int i = 1; i < tokens.length; i++) {
            long seed = list.seed(tokens, i);
            while (list.isGreen(seed, candidate) != green[i - 1]) candidate++;
            tokens[i] = candidate++;
        }
        return tokens;
    }

    @Test
    void zIsTheOneProportionScoreOfTheGreenCount() {
        // 30 green of 100 scored: z = (30 − 25) / sqrt(100 · 0.25 · 0.75).
        var green = new boolean[100];
        for (int i = 0; i < 30; i++) green[i * 3] = true;
        var detection = WATERMARK.newDetector(false).detect(text(green));
        assertEquals(101, detection.tokens());
        assertEquals(100, detection.scored(), "the first token only seeds the next step");
        assertEquals(30, detection.green());
        assertEquals(5 / Math.sqrt(18.75), detection.z(), 1e-12);
        assertEquals(0.3, detection.greenFraction(), 1e-12);
    }

    @Test
    void fortyGreenTokensInARowAreWatermarkedAndRandomTokensAreNot() {
        var allGreen = new boolean[40];
        java.util.Arrays.fill(allGreen, true);
        var marked = WATERMARK.newDetector(false).detect(text(allGreen));
        assertEquals(Math.sqrt(40 * 0.75 / 0.25), marked.z(), 1e-12);
        assertTrue(marked.watermarked(Detection.DEFAULT_THRESHOLD));

        var random = new SplittableRandom(5);
        var tokens = random.ints(400, 0, 151936).toArray();
        var plain = WATERMARK.newDetector(false).detect(tokens);
        assertFalse(plain.watermarked(Detection.DEFAULT_THRESHOLD), plain.toString());
        assertTrue(Math.abs(plain.z()) < 4, plain.toString());
    }

    @Test
    void aRepeatedPairIsScoredOnceUnlessRepeatsAreCounted() {
        var list = new GreenList(KEY, 0.25, 1);
        // Find a green pair (a, b), then repeat "a b" 50 times: one green token, or 50 (and 49 of "b a").
        int a = 7;
        int b = 0;
        while (!list.isGreen(list.seed(new int[] {a}, 1), b)) b++;
        var tokens = new int[100];
        for (int i = 0; i < tokens.length; i += 2) {
            tokens[i] = a;
            tokens[i + 1] = b;
        }
        var once = WATERMARK.newDetector(false).detect(tokens);
        assertEquals(2, once.scored(), "the pairs (a, b) and (b, a)");
        var counted = WATERMARK.newDetector(true).detect(tokens);
        assertEquals(99, counted.scored());
        assertTrue(counted.green() >= 50, counted.toString());
        assertTrue(counted.watermarked(Detection.DEFAULT_THRESHOLD), "one repeated green pair fools the counting test");
        assertFalse(once.watermarked(Detection.DEFAULT_THRESHOLD));
    }

    @Test
    void aTextWithNothingToScoreIsNeverWatermarked() {
        var detection = WATERMARK.newDetector(false).detect(new int[] {5});
        assertEquals(0, detection.scored());
        assertTrue(Double.isNaN(detection.z()));
        assertFalse(detection.watermarked(Detection.DEFAULT_THRESHOLD));
    }

    @Test
    void anotherKeyOrGammaFindsNoMark() {
        var allGreen = new boolean[200];
        java.util.Arrays.fill(allGreen, true);
        var tokens = text(allGreen);
        var otherKey = new Watermark(WatermarkKey.fromHex("c5".repeat(32)), WatermarkSettings.DEFAULTS);
        assertTrue(Math.abs(otherKey.newDetector(false).detect(tokens).z()) < 4);
        var otherContext = new Watermark(KEY, new WatermarkSettings(0.25, 2, 2));
        assertTrue(Math.abs(otherContext.newDetector(false).detect(tokens).z()) < 4);
    }
}
