package ai.appliance.runtime.kernels;

import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.model.RopeScaling;
import ai.appliance.runtime.model.RopeStyle;

/**
 * Rotary position embedding. Frequencies follow Hugging Face's computation (float32 inverse
 * frequencies, Llama-3 scaling, or GGUF {@code rope_freqs} divisors when the file has them).
 */
public final class Rope {
    private final float[] inverseFrequencies;
    private final RopeStyle style;
    private final int headDimension;

    public Rope(int headDimension, double theta, RopeStyle style, RopeScaling scaling, float[] frequencyFactors) {
        if (headDimension % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head dimension, got " + headDimension);
        int half = headDimension / 2;
        if (frequencyFactors != null && frequencyFactors.length != half) {
            throw new IllegalArgumentException("rope_freqs holds " + frequencyFactors.length + " factors; head dimension "
                    + headDimension + " needs " + half);
        }
        this.headDimension = headDimension;
        this.style = style;
        this.inverseFrequencies = new float[half];
        for (int i = 0; i < half; i++) {
            float base = (float) (1.0 / Math.pow(theta, (float) (2 * i) / headDimension));
            if (frequencyFactors != null) {
                inverseFrequencies[i] = base / frequencyFactors[i];
            } else if (scaling != null) {
                inverseFrequencies[i] = llama3(base, scaling);
            } else {
                inverseFrequencies[i] = base;
            }
        }
    }

    public static Rope of(ModelConfig config) {
        return new Rope(config.headDimension(), config.ropeTheta(), config.ropeStyle(), config.ropeScaling(),
                config.ropeFrequencyFactors());
    }

    private static float llama3(float frequency, RopeScaling s) {
        double lowFrequencyWavelength = s.originalContextLength() / s.lowFreqFactor();
        double highFrequencyWavelength = s.originalContextLength() / s.highFreqFactor();
        double wavelength = 2 * Math.PI / frequency;
        if (wavelength < highFrequencyWavelength) return frequency;
        if (wavelength > lowFrequencyWavelength) return (float) (frequency / s.factor());
        double smooth = (s.originalContextLength() / wavelength - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
        return (float) ((1 - smooth) * frequency / s.factor() + smooth * frequency);
    }

    public int headDimension() {
        return headDimension;
    }

    /** Writes cos and sin of position·frequency (headDim/2 each) to cos/sin at offset. */
    public void angles(int position, float[] cos, float[] sin, int offset) {
        for (int i = 0; i < inverseFrequencies.length; i++) {
            float angle = position * inverseFrequencies[i];
            cos[offset + i] = (float) Math.cos(angle);
            sin[offset + i] = (float) Math.sin(angle);
        }
    }

    /** Rotates {@code heads} consecutive heads of x starting at xOffset by the angles at csOffset. */
    public void rotate(float[] x, int xOffset, int heads, float[] cos, float[] sin, int csOffset) {
        int half = headDimension / 2;
        for (int h = 0; h < heads; h++) {
            int base = xOffset + h * headDimension;
            for (int i = 0; i < half; i++) {
                int a = style == RopeStyle.HALVES ? base + i : base + 2 * i;
                int b = style == RopeStyle.HALVES ? base + i + half : base + 2 * i + 1;
                float c = cos[csOffset + i];
                float s = sin[csOffset + i];
                float x0 = x[a];
                float x1 = x[b];
                x[a] = x0 * c - x1 * s;
                x[b] = x0 * s + x1 * c;
            }
        }
    }
}
