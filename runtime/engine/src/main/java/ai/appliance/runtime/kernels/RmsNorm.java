package ai.appliance.runtime.kernels;

/** Root-mean-square normalisation: out = x / sqrt(mean(x²) + eps) * weight, per row. */
public final class RmsNorm {
    private RmsNorm() {
    }

    public static void apply(float[] x, int xOffset, float[] weight, float epsilon, float[] out, int outOffset, int n) {
        float sumSquares = VectorDot.dot(x, xOffset, x, xOffset, n);
        float scale = (float) (1.0 / Math.sqrt(sumSquares / n + epsilon));
        for (int i = 0; i < n; i++) out[outOffset + i] = weight[i] * (scale * x[xOffset + i]);
    }
}
