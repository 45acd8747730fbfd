package ai.appliance.runtime.sampling;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Top-p without top-k: the nucleus (the smallest set of most likely tokens whose mass reaches
 * top-p times the total; ties: the lower id first) found in a few linear passes instead of sorting.
 *
 * <p>Why: with nearly flat logits (random-weight models, an uncertain model) the nucleus holds most of a
 * 152k vocabulary, and sorting it cost tens of milliseconds per token on the server's scheduler thread.
 * Here the logits go into {@link #BUCKETS} buckets of equal width in -ln p below the best one, each
 * summing its tokens' mass; the buckets are walked from the top until the needed mass is crossed, and only
 * the tokens of that crossing bucket (a few hundred at most in practice) are sorted. Bucket order follows
 * logit order, so the set is the one a full sort would give, up to rounding of the sums.
 *
 * <p>The range bucketed is that of the logits, but stops where the tokens left out are too unlikely ever to
 * join the nucleus, so a few far outliers (or -Infinity) do not squeeze the rest into one bucket.
 */
final class Nucleus {
    static final int BUCKETS = 2048;
    /**
     * From here on, slots for the tokens past the cut: too unlikely to be in the nucleus, but part of the total
     * mass. Eight of them, taken in turn, so that a long run of such tokens does not make each addition wait
     * for the previous one.
     */
    private static final int BELOW = BUCKETS;
    private static final int BELOW_SLOTS = 8;

    private final float[] weights;
    private final short[] bucketOf;
    private final long[] keys;
    private final double[] bucketMass = new double[BUCKETS + BELOW_SLOTS];
    /** Set by {@link #weigh}: the weights' sum accumulated in float (an estimate), and the smallest logit. */
    private float roughTotal;
    private float smallest;

    Nucleus(int vocabularySize) {
        this.weights = new float[vocabularySize];
        this.bucketOf = new short[vocabularySize];
        this.keys = new long[vocabularySize];
    }

    /**
     * Fills ids[0..n) and probabilities[0..n) with the nucleus and its relative probabilities
     * exp((logit - max) / T) (the most likely is 1) and returns n, at least 1. The order is not by
     * probability: the tokens of whole buckets by id, then those of the crossing bucket from most likely.
     */
    int select(float[] logits, float max, double temperature, double topP, int[] ids, float[] probabilities) {
        int vocabulary = logits.length;
        weigh(logits, max, (float) (1 / temperature));
        // Tokens with p < ε (p relative to the best) together hold less than vocabulary × ε: with
        // ε = (1 - topP) × total / vocabulary (halved for rounding), what lies above already reaches the mass
        // needed, so the nucleus never reaches down to them.
        double epsilon = 0.5 * (1 - topP) * roughTotal / vocabulary;
        double cut = -Math.log(epsilon); // in units of (max - logit) / T; above ln 2, as roughTotal <= vocabulary
        double range = Math.min(cut, (max - (double) smallest) / temperature);
        // Buckets 0..BUCKETS-1 share [0, range] of (max - logit) / T; a token past the cut lands in a BELOW slot.
        float scale = range > 0 ? (float) ((BUCKETS - 1) / (range * temperature)) : 0;

        Arrays.fill(bucketMass, 0);
        for (int i = 0; i < vocabulary; i++) {
            // Monotone in the logit; -Infinity lands past the cut. No branch: in or out is often a coin toss.
            int b = Math.min((int) ((max - logits[i]) * scale), BELOW + (i & (BELOW_SLOTS - 1)));
            bucketOf[i] = (short) b;
            bucketMass[b] += weights[i];
        }
        double total = 0;
        for (double m : bucketMass) total += m;
        double needed = topP * total;

        // The first bucket from the top whose mass reaches what is needed (the last one if rounding never does).
        double above = 0;
        int crossing = 0;
        while (crossing < BUCKETS - 1 && above + bucketMass[crossing] < needed) above += bucketMass[crossing++];

        int n = 0;
        int tied = 0;
        for (int i = 0; i < vocabulary; i++) {
            int b = bucketOf[i];
            // Written always, kept by advancing n: with flat logits whether a token is in is a coin toss,
            // and a mispredicted branch per token cost more than the rest of this pass.
            ids[n] = i;
            probabilities[n] = weights[i];
            n += b < crossing ? 1 : 0;
            if (b == crossing) keys[tied++] = Sampler.sortKey(logits[i], i);
        }
        // The crossing bucket, most likely first (ties: lower id), until the needed mass is reached.
        Arrays.sort(keys, 0, tied);
        double cumulative = above;
        for (int k = tied - 1; k >= 0 && (cumulative < needed || n == 0); k--) {
            int id = Sampler.idOf(keys[k]);
            ids[n] = id;
            probabilities[n++] = weights[id];
            cumulative += weights[id];
        }
        return n;
    }

    /** Fills weights with exp((logit - max) / T), vectorised: one exponential per token is the costly part. */
    private void weigh(float[] logits, float max, float inverse) {
        var species = FloatVector.SPECIES_PREFERRED;
        var sum = FloatVector.zero(species);
        var least = FloatVector.broadcast(species, Float.POSITIVE_INFINITY);
        int i = 0;
        for (int upper = species.loopBound(logits.length); i < upper; i += species.length()) {
            var logit = FloatVector.fromArray(species, logits, i);
            var weight = logit.sub(max).mul(inverse).lanewise(VectorOperators.EXP);
            weight.intoArray(weights, i);
            sum = sum.add(weight);
            least = least.min(logit);
        }
        roughTotal = sum.reduceLanes(VectorOperators.ADD);
        smallest = least.reduceLanes(VectorOperators.MIN);
        for (; i < logits.length; i++) {
            weights[i] = (float) Math.exp((logits[i] - max) * inverse);
            roughTotal += weights[i];
            smallest = Math.min(smallest, logits[i]);
        }
    }
}
