package ai.appliance.runtime.kernels;

import static ai.appliance.runtime.kernels.VectorDot.F;
import static ai.appliance.runtime.kernels.VectorDot.L;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The gated MLP activation: gate[i] = silu(gate[i]) * up[i], silu(g) = g / (1 + e^-g). The vector
 * path's exponential (the JDK's vector math library) is within an ulp or two of {@link Math#exp}.
 */
public final class SwiGlu {
    private SwiGlu() {
    }

    public static void apply(float[] gate, float[] up, int offset, int n) {
        int i = offset;
        int end = offset + n;
        if (VectorDot.ENABLED) {
            var one = FloatVector.broadcast(F, 1f);
            for (; i + L <= end; i += L) {
                var g = FloatVector.fromArray(F, gate, i);
                var e = g.neg().lanewise(VectorOperators.EXP);
                g.div(e.add(one)).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
            }
        }
        for (; i < end; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }
}
