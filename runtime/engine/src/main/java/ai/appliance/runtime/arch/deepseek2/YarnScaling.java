package ai.appliance.runtime.arch.deepseek2;

/**
 * YaRN RoPE scaling as DeepSeek-V2/V3 use it (config.json's {@code rope_scaling} with {@code "type": "yarn"}).
 *
 * @param factor                context extension factor (s)
 * @param originalContextLength the context the model was pre-trained with
 * @param betaFast              rotations per original context above which a frequency is kept (extrapolated), 32
 * @param betaSlow              rotations below which a frequency is divided by the factor (interpolated), 1
 * @param mscale                amplitude parameter of cos/sin (relative to {@code mscaleAllDim})
 * @param mscaleAllDim          amplitude parameter folded into the softmax scale (0: none)
 */
public record YarnScaling(double factor, int originalContextLength, double betaFast, double betaSlow,
                          double mscale, double mscaleAllDim) {

    /** DeepSeek's {@code yarn_get_mscale}: 0.1·m·ln(s) + 1, or 1 when the factor does not extend the context. */
    static double amplitude(double factor, double m) {
        return factor <= 1 ? 1.0 : 0.1 * m * Math.log(factor) + 1.0;
    }

    /** Multiplier of the softmax scale: amplitude(mscale_all_dim)², or 1 without mscale_all_dim. */
    public double softmaxScaleFactor() {
        if (mscaleAllDim == 0) return 1.0;
        double m = amplitude(factor, mscaleAllDim);
        return m * m;
    }

    /** Multiplier of cos and sin: amplitude(mscale) / amplitude(mscale_all_dim), 1 for every released model. */
    public double ropeAmplitude() {
        return amplitude(factor, mscale) / amplitude(factor, mscaleAllDim);
    }

    /**
     * Inverse frequencies of {@code dimensions} rotary dimensions: each plain θ^(−2i/d) blended between itself
     * (extrapolation, fast rotations) and itself divided by the factor (interpolation, slow rotations) along a
     * linear ramp between the correction dimensions of β_fast and β_slow, in float32 as DeepSeek's code computes it.
     */
    public float[] inverseFrequencies(int dimensions, double theta) {
        var plain = ai.appliance.runtime.kernels.Rope.plainFrequencies(dimensions, theta);
        double low = Math.floor(correctionDimension(betaFast, dimensions, theta));
        double high = Math.ceil(correctionDimension(betaSlow, dimensions, theta));
        low = Math.max(low, 0);
        high = Math.min(high, dimensions - 1);
        if (low == high) high += 0.001; // as DeepSeek's linear_ramp_mask, to avoid dividing by zero
        var out = new float[plain.length];
        for (int i = 0; i < plain.length; i++) {
            float ramp = Math.clamp((float) ((i - low) / (high - low)), 0f, 1f);
            float extrapolated = 1f - ramp;
            float interpolated = plain[i] / (float) factor;
            out[i] = interpolated * (1f - extrapolated) + plain[i] * extrapolated;
        }
        return out;
    }

    /** The dimension whose wavelength makes {@code rotations} turns over the original context. */
    private double correctionDimension(double rotations, int dimensions, double theta) {
        return dimensions * Math.log(originalContextLength / (rotations * 2 * Math.PI)) / (2 * Math.log(theta));
    }
}
