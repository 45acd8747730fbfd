package ai.appliance.runtime.arch.llama;

/**
 * The per-frequency divisors of Llama-3 RoPE scaling, as llama.cpp's converter writes them into
 * the GGUF {@code rope_freqs} tensor: computed step by step in float32 like its torch code, so the
 * values equal llama.cpp's bit for bit (checked against the tiny-llama3 fixture).
 */
public final class Llama3RopeFactors {
    private Llama3RopeFactors() {
    }

    public static float[] compute(Llama3RopeScaling scaling, double theta, int headDimension) {
        var factors = new float[headDimension / 2];
        // Every step in float32, as torch does it in llama.cpp's converter.
        float factor = (float) scaling.factor();
        float low = (float) scaling.lowFreqFactor();
        float high = (float) scaling.highFreqFactor();
        float original = scaling.originalContextLength();
        double highFreqWavelen = scaling.originalContextLength() / scaling.highFreqFactor();
        double lowFreqWavelen = scaling.originalContextLength() / scaling.lowFreqFactor();
        for (int i = 0; i < factors.length; i++) {
            float exponent = (float) (2 * i) / headDimension;
            float freq = 1f / (float) Math.pow((float) theta, exponent);
            float wavelen = (float) (2 * Math.PI) / freq;
            if (wavelen < highFreqWavelen) {
                factors[i] = 1f;
            } else if (wavelen > lowFreqWavelen) {
                factors[i] = factor;
            } else {
                float smooth = (original / wavelen - low) / (high - low);
                factors[i] = 1f / ((1f - smooth) / factor + smooth);
            }
        }
        return factors;
    }
}
