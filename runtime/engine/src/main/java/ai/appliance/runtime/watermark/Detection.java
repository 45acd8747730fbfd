package ai.appliance.runtime.watermark;

/**
 * What {@link WatermarkDetector} found in a token sequence: under the hypothesis that the text was written without
 * the key, each scored token is green with probability gamma, so the green count of {@code scored} tokens has mean
 * gamma·T and variance T·gamma·(1 − gamma), and {@code z} is how many standard deviations the count lies above the
 * mean (the paper's one-proportion z-test).
 *
 * @param tokens tokens in the text
 * @param scored tokens that counted (T): all after the first {@code context} ones, less repeated pairs unless
 *               repeats were counted
 * @param green  of those, the green ones
 * @param gamma  the green share the test expects of unmarked text
 * @param z      (green − gamma·T) / sqrt(T·gamma·(1 − gamma)); NaN when nothing was scored
 */
public record Detection(int tokens, int scored, int green, double gamma, double z) {

    /**
     * The usual verdict threshold: z above 4 happens by chance in unmarked text with probability about 3·10⁻⁵
     * (one-sided normal tail), and the paper uses it.
     */
    public static final double DEFAULT_THRESHOLD = 4.0;

    static Detection of(int tokens, int scored, int green, double gamma) {
        double z = scored == 0 ? Double.NaN
                : (green - gamma * scored) / Math.sqrt(scored * gamma * (1 - gamma));
        return new Detection(tokens, scored, green, gamma, z);
    }

    /** Green share of the scored tokens (NaN when nothing was scored). */
    public double greenFraction() {
        return scored == 0 ? Double.NaN : (double) green / scored;
    }

    /** Whether z exceeds {@code threshold}; never for a text with nothing to score. */
    public boolean watermarked(double threshold) {
        return scored > 0 && z > threshold;
    }
}
