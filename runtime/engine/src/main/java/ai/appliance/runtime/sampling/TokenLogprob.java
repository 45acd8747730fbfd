package ai.appliance.runtime.sampling;

/**
 * The model's log probability of a chosen token and of the most likely tokens at that step.
 *
 * @param token       the chosen token
 * @param logprob     its log probability
 * @param topTokens   the most likely tokens, most likely first (ties: lower id first)
 * @param topLogprobs their log probabilities, in the same order
 */
public record TokenLogprob(int token, double logprob, int[] topTokens, double[] topLogprobs) {
    public TokenLogprob {
        if (topTokens.length != topLogprobs.length) {
            throw new IllegalArgumentException(topTokens.length + " top tokens but " + topLogprobs.length + " log probabilities");
        }
    }
}
