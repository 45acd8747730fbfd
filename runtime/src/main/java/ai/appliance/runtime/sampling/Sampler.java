package ai.appliance.runtime.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Picks tokens from logits under {@link SamplerSettings}: penalties, then (unless greedy)
 * top-k, temperature, top-p and min-p, then a random draw from what remains. One sampler
 * serves one sequence: it owns its random stream (seeded: the same settings, logits and history
 * give the same tokens) and scratch buffers sized to the vocabulary, allocated once.
 */
public final class Sampler {
    private final SamplerSettings settings;
    private final SplittableRandom random;
    private final float[] work;
    private final int[] counts;
    private final long[] order;
    private final int[] candidates;
    private final float[] probabilities;

    public Sampler(SamplerSettings settings, int vocabularySize) {
        this.settings = settings;
        this.random = settings.seed() == null ? new SplittableRandom() : new SplittableRandom(settings.seed());
        this.work = new float[vocabularySize];
        this.counts = settings.penalises() ? new int[vocabularySize] : null;
        this.order = settings.isGreedy() ? null : new long[vocabularySize];
        this.candidates = settings.isGreedy() ? null : new int[vocabularySize];
        this.probabilities = settings.isGreedy() ? null : new float[vocabularySize];
    }

    public SamplerSettings settings() {
        return settings;
    }

    /**
     * The next token.
     *
     * @param logits  the model's logits (not modified)
     * @param context the tokens so far (prompt and generated), of which the first {@code length} count
     */
    public int sample(float[] logits, int[] context, int length) {
        if (logits.length != work.length) {
            throw new IllegalArgumentException("logits hold " + logits.length + " values; the sampler expects " + work.length);
        }
        System.arraycopy(logits, 0, work, 0, work.length);
        if (settings.penalises()) penalise(context, length);
        if (settings.isGreedy()) return argmax(work);
        double temperature = settings.temperature();
        float max = work[argmax(work)];
        double mass = settings.topK() == 0 && settings.topP() < 1 ? totalMass(max, temperature) : 0;
        int n = candidates(max, temperature, mass);
        // Relative probabilities exp((logit - max) / T) of the candidates; the most likely is 1.
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double p = Math.exp((work[candidates[i]] - max) / temperature);
            probabilities[i] = (float) p;
            sum += p;
        }
        if (settings.topP() < 1) {
            // Candidates are sorted here; the mass is that of all candidates (the whole vocabulary without top-k).
            if (settings.topK() > 0) mass = sum;
            double cumulative = 0;
            int keep = n;
            for (int i = 0; i < n; i++) {
                cumulative += probabilities[i];
                if (cumulative >= settings.topP() * mass) {
                    keep = i + 1;
                    break;
                }
            }
            n = keep;
        }
        if (settings.minP() > 0) {
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (probabilities[i] >= settings.minP()) {
                    candidates[kept] = candidates[i];
                    probabilities[kept++] = probabilities[i];
                }
            }
            n = kept;
        }
        double total = 0;
        for (int i = 0; i < n; i++) total += probabilities[i];
        double draw = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            draw -= probabilities[i];
            if (draw < 0) return candidates[i];
        }
        return candidates[n - 1];
    }

    /**
     * Fills candidates[0..n) and returns n: the top-k sorted by descending logit; without top-k but with
     * top-p, enough of the most likely tokens (sorted) to hold the top-p mass, found by selecting a
     * growing number of the largest instead of sorting the whole vocabulary; otherwise every token.
     */
    private int candidates(float max, double temperature, double mass) {
        int vocabulary = work.length;
        if (settings.topK() > 0) return sortedLargest(Math.min(settings.topK(), vocabulary));
        if (settings.topP() < 1) {
            double needed = settings.topP() * mass;
            for (int k = Math.min(64, vocabulary); ; k = Math.min(vocabulary, k * 4)) {
                int n = sortedLargest(k);
                double cumulative = 0;
                for (int i = 0; i < n; i++) cumulative += Math.exp((work[candidates[i]] - max) / temperature);
                if (cumulative >= needed || k == vocabulary) return n;
            }
        }
        // Min-p alone keeps tokens with exp((logit - max) / T) >= minP: compare logits, skip the exponentials.
        float floor = settings.minP() > 0 ? (float) (max + temperature * Math.log(settings.minP())) : Float.NEGATIVE_INFINITY;
        int n = 0;
        for (int i = 0; i < vocabulary; i++) if (work[i] >= floor) candidates[n++] = i;
        return n;
    }

    /** Σ exp((logit - max) / T) over the vocabulary, vectorised: it runs once or twice per sampled token. */
    private double totalMass(float max, double temperature) {
        var species = FloatVector.SPECIES_PREFERRED;
        float inverse = (float) (1 / temperature);
        var acc = FloatVector.zero(species);
        int i = 0;
        for (int upper = species.loopBound(work.length); i < upper; i += species.length()) {
            acc = acc.add(FloatVector.fromArray(species, work, i).sub(max).mul(inverse).lanewise(VectorOperators.EXP));
        }
        double total = acc.reduceLanes(VectorOperators.ADD);
        for (; i < work.length; i++) total += Math.exp((work[i] - max) * inverse);
        return total;
    }

    /** The most likely token; the lowest id wins ties. */
    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    private void penalise(int[] context, int length) {
        int from = settings.penaltyWindow() < 0 ? 0 : Math.max(0, length - settings.penaltyWindow());
        for (int i = from; i < length; i++) counts[context[i]]++;
        for (int i = from; i < length; i++) {
            int token = context[i];
            int count = counts[token];
            if (count == 0) continue; // already penalised
            float logit = work[token];
            if (settings.repetitionPenalty() != 1) {
                logit = (float) (logit > 0 ? logit / settings.repetitionPenalty() : logit * settings.repetitionPenalty());
            }
            logit -= (float) (settings.presencePenalty() + settings.frequencyPenalty() * count);
            work[token] = logit;
            counts[token] = 0;
        }
    }

    /** Fills candidates[0..k) with the k largest logits' ids, descending (ties: lower id first); returns k. */
    private int sortedLargest(int k) {
        int vocabulary = work.length;
        // Key: order-preserving int bits of the logit, then the inverted id, so an ascending sort ends with the best.
        for (int i = 0; i < vocabulary; i++) {
            int bits = Float.floatToIntBits(work[i]);
            bits ^= (bits >> 31) & 0x7fffffff;
            order[i] = ((long) bits << 32) | (0x7fffffffL - i);
        }
        if (k < vocabulary) selectLargest(order, vocabulary, k);
        Arrays.sort(order, vocabulary - k, vocabulary);
        for (int i = 0; i < k; i++) candidates[i] = (int) (0x7fffffffL - (order[vocabulary - 1 - i] & 0xffffffffL));
        return k;
    }

    /** Moves the k largest of a[0..n) to a[n-k..n) (quickselect, no allocation). */
    private static void selectLargest(long[] a, int n, int k) {
        int target = n - k;
        int lo = 0;
        int hi = n - 1;
        while (lo < hi) {
            long pivot = a[(lo + hi) >>> 1]; // keys are distinct (they embed the id)
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) {
                    long t = a[i];
                    a[i] = a[j];
                    a[j] = t;
                    i++;
                    j--;
                }
            }
            if (target <= j) hi = j;
            else if (target >= i) lo = i;
            else return;
        }
    }
}
