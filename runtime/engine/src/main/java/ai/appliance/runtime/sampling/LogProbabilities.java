package ai.appliance.runtime.sampling;

/**
 * Log probabilities of the model's own distribution: log-softmax of the raw logits, before penalties, temperature
 * or truncation change what the sampler draws from (OpenAI reports the model's distribution the same way).
 * Computed in double: {@code logit - max - log Σ exp(logit - max)}.
 */
public final class LogProbabilities {
    /** The most alternatives a request may ask for (OpenAI's limit for chat {@code top_logprobs}). */
    public static final int MAX_TOP = 20;

    private LogProbabilities() {
    }

    /** The log probability of {@code token} and of the {@code top} most likely tokens under {@code logits}. */
    public static TokenLogprob of(float[] logits, int token, int top) {
        if (token < 0 || token >= logits.length) {
            throw new IllegalArgumentException("token " + token + " is outside the vocabulary (0.." + (logits.length - 1) + ")");
        }
        if (top < 0 || top > MAX_TOP) {
            throw new IllegalArgumentException("top must be 0 to " + MAX_TOP + ", was " + top);
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        double normalizer = max + Math.log(sum);
        int[] ids = topIds(logits, Math.min(top, logits.length));
        var values = new double[ids.length];
        for (int i = 0; i < ids.length; i++) values[i] = logits[ids[i]] - normalizer;
        return new TokenLogprob(token, logits[token] - normalizer, ids, values);
    }

    /** The n largest logits' ids, largest first, ties to the lower id: insertion into a sorted array of n. */
    private static int[] topIds(float[] logits, int n) {
        var ids = new int[n];
        int filled = 0;
        for (int id = 0; id < logits.length; id++) {
            float value = logits[id];
            if (filled == n && (n == 0 || value <= logits[ids[n - 1]])) continue;
            int at = filled < n ? filled++ : n - 1;
            while (at > 0 && logits[ids[at - 1]] < value) {
                ids[at] = ids[at - 1];
                at--;
            }
            ids[at] = id;
        }
        return ids;
    }
}
