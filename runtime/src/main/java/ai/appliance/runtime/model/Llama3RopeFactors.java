package ai.appliance.runtime.model;

/**
 * The per-frequency divisors of Llama-3 RoPE scaling, as llama.cpp's converter writes them into
 * the GGUF {@code rope_freqs} tensor (computed in float32 like its torch code, so the values match bit for bit
 * in the common case).
 */
public final class Llama3RopeFactors {
    private Llama3RopeFactors() {
    }

    public static float[] compute(RopeScaling scaling, double theta, int headDimension) {
        var factors = new float[headDimension / 2];
        double highFreqWavelen = scaling.originalContextLength() / scaling.highFreqFactor();
        double lowFreqWavelen = scaling.originalContextLength() / scaling.lowFreqFactor();
        for (int i = 0; i < factors.length; i++) {
            float exponent = (float) (2 * i) / headDimension;
            float freq = (float) (1.0 / Math.pow((float) theta, exponent));
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) {
                factors[i] = 1f;
            } else if (wavelen > lowFreqWavelen) {
                factors[i] = (float) scaling.factor();
            } else {
                double smooth = (scaling.originalContextLength() / wavelen - scaling.lowFreqFactor())
                        / (scaling.highFreqFactor() - scaling.lowFreqFactor());
                factors[i] = (float) (1 / ((1 - smooth) / scaling.factor() + smooth));
            }
        }
        return factors;
    }
}
