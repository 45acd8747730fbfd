package ai.appliance.runtime.sampling;

import java.util.Arrays;
import java.util.List;
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
    private final Nucleus nucleus;
    private final int[] candidates;
    private final float[] probabilities;
    private final List<LogitsProcessor> processors;

    public Sampler(SamplerSettings settings, int vocabularySize) {
        this(settings, vocabularySize, List.of());
    }

    /** @param processors run in order on each step's logits before the draw ({@link LogitsProcessor}) */
    public Sampler(SamplerSettings settings, int vocabularySize, List<LogitsProcessor> processors) {
        this.settings = settings;
        this.processors = List.copyOf(processors);
        this.random = settings.seed() == null ? new SplittableRandom() : new SplittableRandom(settings.seed());
        this.work = new float[vocabularySize];
        this.counts = settings.penalises() ? new int[vocabularySize] : null;
        boolean nucleusOnly = !settings.isGreedy() && settings.topK() == 0 && settings.topP() < 1;
        this.order = settings.isGreedy() || nucleusOnly ? null : new long[vocabularySize];
        this.nucleus = nucleusOnly ? new Nucleus(vocabularySize) : null;
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
        for (var processor : processors) processor.process(work, context, length);
        int token = draw();
        for (var processor : processors) processor.accept(token);
        return token;
    }

    /** The token from the working logits: the best when greedy, else a random draw among the kept candidates. */
    private int draw() {
        if (settings.isGreedy()) return argmax(work);
        double temperature = settings.temperature();
        float max = work[argmax(work)];
        int n;
        if (nucleus != null) {
            // Top-p without top-k: in linear time, and not in probability order (the draw needs none).
            n = nucleus.select(work, max, temperature, settings.topP(), candidates, probabilities);
        } else {
            n = candidates(max, temperature);
            // Relative probabilities exp((logit - max) / T) of the candidates; the most likely is 1.
            double sum = 0;
            for (int i = 0; i < n; i++) {
                double p = Math.exp((work[candidates[i]] - max) / temperature);
                probabilities[i] = (float) p;
                sum += p;
            }
            // With top-k the candidates are sorted, and top-p takes its share of their mass.
            if (settings.topP() < 1) n = topPOfSorted(n, settings.topP() * sum);
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
        return pick(candidates, probabilities, n, random.nextDouble() * total);
    }

    /**
     * The candidate at {@code draw} in the running sum of the probabilities. A candidate of probability 0 (a token a
     * {@link LogitsProcessor} masked with -Infinity, kept by top-k or by a flat min-p floor) is never returned: when
     * rounding leaves the draw past the sum, the answer is the last candidate that has any probability.
     */
    static int pick(int[] candidates, float[] probabilities, int n, double draw) {
        int lastPossible = -1;
        for (int i = 0; i < n; i++) {
            if (probabilities[i] <= 0) continue;
            lastPossible = i;
            draw -= probabilities[i];
            if (draw < 0) return candidates[i];
        }
        if (lastPossible < 0) throw new IllegalStateException("no token has any probability left to draw");
        return candidates[lastPossible];
    }

    /** Of candidates sorted by descending probability, how many it takes to reach the needed mass. */
    private int topPOfSorted(int n, double needed) {
        double cumulative = 0;
        for (int i = 0; i < n; i++) {
            cumulative += probabilities[i];
            if (cumulative >= needed) return i + 1;
        }
        return n;
    }

    /**
     * Fills candidates[0..n) and returns n: the top-k sorted by descending logit; otherwise every token
     * (top-p without top-k is {@link Nucleus}'s).
     */
    private int candidates(float max, double temperature) {
        int vocabulary = work.length;
        if (settings.topK() > 0) return sortedLargest(Math.min(settings.topK(), vocabulary));
        // Min-p alone keeps tokens with exp((logit - max) / T) >= minP: compare logits, skip the exponentials.
        float floor = settings.minP() > 0 ? (float) (max + temperature * Math.log(settings.minP())) : Float.NEGATIVE_INFINITY;
        int n = 0;
        // A masked token (-Infinity) is no candidate even without a floor.
        for (int i = 0; i < vocabulary; i++) if (work[i] >= floor && work[i] > Float.NEGATIVE_INFINITY) candidates[n++] = i;
        return n;
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
        for (int i = 0; i < vocabulary; i++) order[i] = sortKey(work[i], i);
        if (k < vocabulary) selectLargest(order, vocabulary, k);
        Arrays.sort(order, vocabulary - k, vocabulary);
        for (int i = 0; i < k; i++) candidates[i] = idOf(order[vocabulary - 1 - i]);
        return k;
    }

    /**
     * A key that sorts ascending by logit, then by descending id (so the best, lowest id first among ties,
     * ends up last): the order-preserving int bits of the logit, then the inverted id.
     */
    static long sortKey(float logit, int id) {
        int bits = Float.floatToIntBits(logit);
        bits ^= (bits >> 31) & 0x7fffffff;
        return ((long) bits << 32) | (0x7fffffffL - id);
    }

    static int idOf(long sortKey) {
        return (int) (0x7fffffffL - (sortKey & 0xffffffffL));
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
