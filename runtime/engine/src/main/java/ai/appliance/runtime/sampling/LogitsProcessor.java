package ai.appliance.runtime.sampling;

/**
 * A per-sequence step between the model's logits and the sampler's draw: a token mask that keeps output inside a
 * grammar (structured output), or a bias that marks output (watermark). The sampler runs its processors in order on its
 * own copy of the logits, after the penalties and before greedy choice or top-k/top-p, so a masked token can never be
 * drawn. One instance serves one sequence and may keep state; {@link #accept} tells it which token was chosen.
 */
public interface LogitsProcessor {

    /**
     * Changes the logits in place (a masked token gets {@code Float.NEGATIVE_INFINITY}).
     *
     * @param logits  the sampler's working copy, one value per vocabulary token
     * @param context the tokens so far (prompt and generated), of which the first {@code length} count
     */
    void process(float[] logits, int[] context, int length);

    /** The token the sampler chose after the latest {@link #process} call. */
    default void accept(int token) {
    }
}
