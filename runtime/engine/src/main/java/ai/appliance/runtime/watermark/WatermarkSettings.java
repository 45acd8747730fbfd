package ai.appliance.runtime.watermark;

/**
 * The parameters of a green-list watermark (Kirchenbauer et al., 2023). Marking and detection must use the same
 * {@code gamma} and {@code context}; {@code delta} matters only when marking.
 *
 * @param gamma   share of the vocabulary that is green at each step, in (0, 1); 0.25 by default
 * @param delta   added to every green token's logit before the draw; 2.0 by default. It is added before the
 *                temperature divides the logits, so at temperature T the bias is delta / T
 * @param context how many preceding tokens seed each step's green list (the paper's h); 1 by default. A wider
 *                context makes the lists harder to learn from output but lets one edited token spoil more scores
 */
public record WatermarkSettings(double gamma, double delta, int context) {

    public static final double DEFAULT_GAMMA = 0.25;
    public static final double DEFAULT_DELTA = 2.0;
    public static final int DEFAULT_CONTEXT = 1;

    /** The largest context: more makes every edit spoil that many scores while hiding the lists no better. */
    public static final int MAX_CONTEXT = 8;

    public static final WatermarkSettings DEFAULTS = new WatermarkSettings(DEFAULT_GAMMA, DEFAULT_DELTA, DEFAULT_CONTEXT);

    public WatermarkSettings {
        if (!(gamma > 0 && gamma < 1)) {
            throw new IllegalArgumentException("watermark gamma (the green share of the vocabulary) must be above 0 and"
                    + " below 1, was " + gamma);
        }
        if (!(delta >= 0 && Double.isFinite(delta))) {
            throw new IllegalArgumentException("watermark delta (the bias added to green logits) must be 0 or more, was "
                    + delta);
        }
        if (context < 1 || context > MAX_CONTEXT) {
            throw new IllegalArgumentException("watermark context (preceding tokens that seed the green list) must be 1"
                    + " to " + MAX_CONTEXT + ", was " + context);
        }
    }
}
