package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Scoring;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Selection;

/**
 * DeepSeekMoE routing of one token, in float32 from the router's logits, as DeepSeek's reference code does:
 * <ol>
 *   <li>scores: softmax over all experts (V2) or a sigmoid per expert (V3);</li>
 *   <li>selection scores: the scores, plus the correction bias for {@link Selection#NOAUX_TC};</li>
 *   <li>group limit (not for {@link Selection#GREEDY}): experts form {@code groups} groups of consecutive ids, each
 *       ranked by the sum of its two best selection scores ({@code NOAUX_TC}) or by its best one
 *       ({@code GROUP_LIMITED_GREEDY}); only the {@code groupsUsed} best groups stay eligible;</li>
 *   <li>the {@code k} eligible experts with the best selection scores;</li>
 *   <li>their weights: their unbiased scores, divided by their sum (+1e-20) when normalising, times the scale.</li>
 * </ol>
 * Not thread-safe (it keeps its scratch); a model holds one per thread that routes.
 */
final class DeepSeek2Router {
    private final int experts;
    private final int k;
    private final int groups;
    private final int groupsUsed;
    private final Scoring scoring;
    private final Selection selection;
    private final boolean normalize;
    private final float scale;
    private final float[] scores;
    private final float[] choice;
    private final float[] groupScores;
    private final boolean[] eligible;

    DeepSeek2Router(int experts, int k, int groups, int groupsUsed, Scoring scoring, Selection selection, boolean normalize, float scale) {
        if (k < 1 || k > experts) throw new IllegalArgumentException("cannot pick " + k + " of " + experts + " experts");
        if (groups < 1 || experts % groups != 0 || groupsUsed < 1 || groupsUsed > groups) {
            throw new IllegalArgumentException("bad expert groups: " + groupsUsed + " of " + groups + " for " + experts + " experts");
        }
        this.experts = experts;
        this.k = k;
        this.groups = selection == Selection.GREEDY ? 1 : groups;
        this.groupsUsed = selection == Selection.GREEDY ? 1 : groupsUsed;
        this.scoring = scoring;
        this.selection = selection;
        this.normalize = normalize;
        this.scale = scale;
        this.scores = new float[experts];
        this.choice = new float[experts];
        this.groupScores = new float[groups];
        this.eligible = new boolean[experts];
    }

    static DeepSeek2Router of(DeepSeek2Config c) {
        return new DeepSeek2Router(c.expertCount(), c.expertsPerToken(), c.expertGroupCount(), c.expertGroupsUsed(), c.scoring(),
                c.selection(), c.normalizeExpertWeights(), c.expertWeightsScale());
    }

    int expertsPerToken() {
        return k;
    }

    /**
     * Routes one token.
     *
     * @param logits    the router's output, {@code experts} values from {@code offset}
     * @param bias      the correction bias ({@link Selection#NOAUX_TC}), else null
     * @param chosen    receives the k expert ids at {@code outOffset}, best first
     * @param weights   receives their weights at {@code outOffset}
     */
    void route(float[] logits, int offset, float[] bias, int[] chosen, float[] weights, int outOffset) {
        score(logits, offset);
        for (int e = 0; e < experts; e++) choice[e] = selection == Selection.NOAUX_TC ? scores[e] + bias[e] : scores[e];
        limitGroups();
        float sum = 0;
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int e = 0; e < experts; e++) {
                if (eligible[e] && (best < 0 || choice[e] > choice[best])) best = e;
            }
            eligible[best] = false;
            chosen[outOffset + j] = best;
            weights[outOffset + j] = scores[best];
            sum += scores[best];
        }
        float divisor = normalize ? sum + 1e-20f : 1f;
        for (int j = 0; j < k; j++) weights[outOffset + j] = weights[outOffset + j] / divisor * scale;
    }

    private void score(float[] logits, int offset) {
        if (scoring == Scoring.SIGMOID) {
            for (int e = 0; e < experts; e++) scores[e] = (float) (1.0 / (1.0 + Math.exp(-logits[offset + e])));
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int e = 0; e < experts; e++) max = Math.max(max, logits[offset + e]);
        float sum = 0;
        for (int e = 0; e < experts; e++) {
            scores[e] = (float) Math.exp(logits[offset + e] - max);
            sum += scores[e];
        }
        for (int e = 0; e < experts; e++) scores[e] /= sum;
    }

    /** Marks eligible the experts of the groupsUsed best groups (all experts without a group limit). */
    private void limitGroups() {
        if (groups == 1) {
            java.util.Arrays.fill(eligible, true);
            return;
        }
        int size = experts / groups;
        for (int g = 0; g < groups; g++) {
            float first = Float.NEGATIVE_INFINITY;
            float second = Float.NEGATIVE_INFINITY;
            for (int e = g * size; e < (g + 1) * size; e++) {
                float v = choice[e];
                if (v > first) {
                    second = first;
                    first = v;
                } else if (v > second) {
                    second = v;
                }
            }
            groupScores[g] = selection == Selection.NOAUX_TC && size > 1 ? first + second : first;
        }
        java.util.Arrays.fill(eligible, false);
        for (int j = 0; j < groupsUsed; j++) {
            int best = -1;
            for (int g = 0; g < groups; g++) {
                if (!eligible[g * size] && (best < 0 || groupScores[g] > groupScores[best])) best = g;
            }
            for (int e = best * size; e < (best + 1) * size; e++) eligible[e] = true;
        }
    }
}
