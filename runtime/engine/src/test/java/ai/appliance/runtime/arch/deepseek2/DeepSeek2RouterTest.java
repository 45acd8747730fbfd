package ai.appliance.runtime.arch.deepseek2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Scoring;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Selection;
import org.junit.jupiter.api.Test;

/** Routing decisions and weights on hand-made logits. */
class DeepSeek2RouterTest {

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }

    /**
     * V3: 8 experts in 4 groups of 2, keep 2 groups, top 3, sigmoid, correction bias, normalised, ×2.5. Plain top-3 by
     * biased score would be experts 0, 4, 6; ranking groups by their best score would keep groups 0 and 2; by the sum
     * of their two best biased scores groups 3 (0.8 + 0.75) and 1 (0.731 + 0.711) win, so the choice is 6, 7, 2, and the
     * weights are their unbiased scores.
     */
    @Test
    void v3GroupLimitedSelectionUsesTopTwoSumsOfBiasedScoresAndUnbiasedWeights() {
        var router = new DeepSeek2Router(8, 3, 4, 2, Scoring.SIGMOID, Selection.NOAUX_TC, true, 2.5f);
        float[] logits = {2.0f, -3.0f, 1.0f, 0.9f, 1.5f, -3.0f, 0.0f, 0.0f};
        float[] bias = {0, 0, 0, 0, 0, 0, 0.3f, 0.25f};
        int[] chosen = new int[3];
        float[] weights = new float[3];
        router.route(logits, 0, bias, chosen, weights, 0);
        assertArrayEquals(new int[] {6, 7, 2}, chosen);
        double sum = sigmoid(0) + sigmoid(0) + sigmoid(1);
        assertEquals(sigmoid(0) / sum * 2.5, weights[0], 1e-6);
        assertEquals(sigmoid(0) / sum * 2.5, weights[1], 1e-6);
        assertEquals(sigmoid(1) / sum * 2.5, weights[2], 1e-6);
    }

    @Test
    void v3WithOneGroupIsPlainTopKByBiasedScore() {
        var router = new DeepSeek2Router(8, 3, 1, 1, Scoring.SIGMOID, Selection.NOAUX_TC, true, 1f);
        float[] logits = {2.0f, -3.0f, 1.0f, 0.9f, 1.5f, -3.0f, 0.0f, 0.0f};
        float[] bias = {0, 0, 0, 0, 0, 0, 0.3f, 0.25f};
        int[] chosen = new int[3];
        router.route(logits, 0, bias, chosen, new float[3], 0);
        assertArrayEquals(new int[] {0, 4, 6}, chosen);
    }

    /** V2: softmax over all experts, the k most probable, weights the probabilities as they are (no renormalisation). */
    @Test
    void v2SoftmaxTopKKeepsTheProbabilitiesWithoutRenormalising() {
        float[] logits = {9f, 0f, 1f, 2f, 3f, -1f, 0.5f};
        double z = 0;
        for (int i = 1; i < logits.length; i++) z += Math.exp(logits[i]);
        var router = new DeepSeek2Router(6, 2, 1, 1, Scoring.SOFTMAX, Selection.GREEDY, false, 1f);
        int[] chosen = new int[3];
        float[] weights = new float[3];
        router.route(logits, 1, null, chosen, weights, 1); // offsets: logits from 1, results from 1
        assertArrayEquals(new int[] {0, 3, 2}, chosen);
        assertEquals(Math.exp(3) / z, weights[1], 1e-6);
        assertEquals(Math.exp(2) / z, weights[2], 1e-6);

        var scaled = new DeepSeek2Router(6, 2, 1, 1, Scoring.SOFTMAX, Selection.GREEDY, false, 16f);
        scaled.route(logits, 1, null, chosen, weights, 0);
        assertEquals(16 * Math.exp(3) / z, weights[0], 1e-5, "DeepSeek-V2's routed_scaling_factor multiplies the probabilities");
    }

    /** V2's group_limited_greedy: groups ranked by their best probability, the k best experts of the kept groups. */
    @Test
    void v2GroupLimitedGreedyRanksGroupsByTheirBestScore() {
        var router = new DeepSeek2Router(6, 2, 3, 1, Scoring.SOFTMAX, Selection.GROUP_LIMITED_GREEDY, false, 1f);
        float[] logits = {3f, -5f, 2f, 2.5f, 0f, 0f};
        int[] chosen = new int[2];
        router.route(logits, 0, null, chosen, new float[2], 0);
        assertArrayEquals(new int[] {0, 1}, chosen, "group 0 holds the best expert; its weak second expert beats group 1's");
    }

    @Test
    void normalisedWeightsSumToTheScale() {
        var router = new DeepSeek2Router(16, 4, 4, 2, Scoring.SIGMOID, Selection.NOAUX_TC, true, 2.5f);
        var random = new java.util.Random(7);
        float[] logits = new float[16];
        float[] bias = new float[16];
        for (int i = 0; i < 16; i++) {
            logits[i] = (float) random.nextGaussian();
            bias[i] = random.nextFloat() * 0.05f;
        }
        int[] chosen = new int[4];
        float[] weights = new float[4];
        router.route(logits, 0, bias, chosen, weights, 0);
        assertEquals(2.5, weights[0] + weights[1] + weights[2] + weights[3], 1e-5);
        int groupsTouched = (int) java.util.Arrays.stream(chosen).map(e -> e / 4).distinct().count();
        assertEquals(true, groupsTouched <= 2, "experts come from at most the 2 kept groups");
    }
}
