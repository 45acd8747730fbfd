package ai.appliance.runtime.sampling;

import java.util.Arrays;
import java.util.SplittableRandom;

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
        int n = sortedCandidates();
        // Temperature, then probabilities of the candidates (in descending order).
        double max = work[candidates[0]] / settings.temperature();
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double p = Math.exp(work[candidates[i]] / settings.temperature() - max);
            probabilities[i] = (float) p;
            sum += p;
        }
        if (settings.topP() < 1) {
            double cumulative = 0;
            int keep = n;
            for (int i = 0; i < n; i++) {
                cumulative += probabilities[i] / sum;
                if (cumulative >= settings.topP()) {
                    keep = i + 1;
                    break;
                }
            }
            n = keep;
        }
        if (settings.minP() > 0) {
            float threshold = (float) (settings.minP() * probabilities[0]);
            int keep = 1;
            while (keep < n && probabilities[keep] >= threshold) keep++;
            n = keep;
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

    /** Fills candidates[0..n) with token ids by descending logit (ties: lower id first), top-k applied; returns n. */
    private int sortedCandidates() {
        int vocabulary = work.length;
        int k = settings.topK() > 0 ? Math.min(settings.topK(), vocabulary) : vocabulary;
        // Key: order-preserving int bits of the logit, then the inverted id, so an ascending sort ends with the best.
        for (int i = 0; i < vocabulary; i++) {
            int bits = Float.floatToIntBits(work[i]);
            bits ^= (bits >> 31) & 0x7fffffff;
            order[i] = ((long) bits << 32) | (0x7fffffffL - i);
        }
        if (k < vocabulary) {
            selectLargest(order, vocabulary, k);
            Arrays.sort(order, vocabulary - k, vocabulary);
        } else {
            Arrays.sort(order, 0, vocabulary);
        }
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
