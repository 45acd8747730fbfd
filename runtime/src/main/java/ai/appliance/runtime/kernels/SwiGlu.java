package ai.appliance.runtime.kernels;

/** The gated MLP activation: gate[i] = silu(gate[i]) * up[i]. */
public final class SwiGlu {
    private SwiGlu() {
    }

    public static void apply(float[] gate, float[] up, int offset, int n) {
        for (int i = offset; i < offset + n; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }
}
