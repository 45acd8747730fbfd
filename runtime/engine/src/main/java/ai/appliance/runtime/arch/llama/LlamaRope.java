package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.kernels.Rope;

/**
 * RoPE frequencies of Llama and Qwen2 as Hugging Face computes them: float32 θ^(−2i/d), with Llama-3 scaling, or
 * divided by a GGUF file's {@code rope_freqs} factors when it has them (they take precedence).
 */
public final class LlamaRope {
    private LlamaRope() {
    }

    static Rope of(LlamaConfig config) {
        return new Rope(frequencies(config.headDimension(), config.ropeTheta(), config.ropeScaling(),
                config.ropeFrequencyFactors()), config.ropeStyle());
    }

    /** Inverse frequencies: plain, then divided by {@code factors} if given, else Llama-3 scaled if {@code scaling}. */
    public static float[] frequencies(int headDimension, double theta, Llama3RopeScaling scaling, float[] factors) {
        var frequencies = Rope.plainFrequencies(headDimension, theta);
        if (factors != null && factors.length != frequencies.length) {
            throw new IllegalArgumentException("rope_freqs holds " + factors.length + " factors; head dimension "
                    + headDimension + " needs " + frequencies.length);
        }
        for (int i = 0; i < frequencies.length; i++) {
            if (factors != null) {
                frequencies[i] /= factors[i];
            } else if (scaling != null) {
                frequencies[i] = llama3(frequencies[i], scaling);
            }
        }
        return frequencies;
    }

    private static float llama3(float frequency, Llama3RopeScaling s) {
        double lowFrequencyWavelength = s.originalContextLength() / s.lowFreqFactor();
        double highFrequencyWavelength = s.originalContextLength() / s.highFreqFactor();
        double wavelength = 2 * Math.PI / frequency;
        if (wavelength < highFrequencyWavelength) return frequency;
        if (wavelength > lowFrequencyWavelength) return (float) (frequency / s.factor());
        double smooth = (s.originalContextLength() / wavelength - s.lowFreqFactor()) / (s.highFreqFactor() - s.lowFreqFactor());
        return (float) ((1 - smooth) * frequency / s.factor() + smooth * frequency);
    }
}
