package ai.appliance.runtime.kernels;

import ai.appliance.runtime.model.RopeStyle;

/**
 * Rotary position embedding over precomputed inverse frequencies (the architecture computes them), rotating
 * either halves or adjacent pairs of each head.
 */
public final class Rope {
    private final float[] inverseFrequencies;
    private final RopeStyle style;
    private final int headDimension;

    /**
     * @param inverseFrequencies headDimension/2 angular frequencies, as the architecture computes them (plain
     *                           θ^(−2i/d), Llama-3 scaled, YaRN-ramped, or divided by GGUF {@code rope_freqs})
     */
    public Rope(float[] inverseFrequencies, RopeStyle style) {
        this.headDimension = 2 * inverseFrequencies.length;
        this.style = style;
        this.inverseFrequencies = inverseFrequencies.clone();
    }

    /** Unscaled frequencies θ^(−2i/d) in float32, as Hugging Face computes them. */
    public static float[] plainFrequencies(int headDimension, double theta) {
        if (headDimension % 2 != 0) throw new IllegalArgumentException("RoPE needs an even head dimension, got " + headDimension);
        var f = new float[headDimension / 2];
        for (int i = 0; i < f.length; i++) f[i] = (float) (1.0 / Math.pow(theta, (float) (2 * i) / headDimension));
        return f;
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
