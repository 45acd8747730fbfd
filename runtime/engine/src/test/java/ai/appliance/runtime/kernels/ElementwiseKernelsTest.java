package ai.appliance.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ElementwiseKernelsTest {

    @Test
    void rmsNormMatchesTheDefinitionForOddWidths() {
        var random = new Random(21);
        for (int n : new int[] {1, 7, 33, 129}) {
            var x = RandomWeights.gaussian(n + 2, random);
            var weight = RandomWeights.gaussian(n, random);
            var out = new float[n + 1];
            RmsNorm.apply(x, 2, weight, 1e-5f, out, 1, n);
            double meanSquare = 0;
            for (int i = 0; i < n; i++) meanSquare += x[2 + i] * x[2 + i] / n;
            for (int i = 0; i < n; i++) {
                assertEquals(weight[i] * x[2 + i] / Math.sqrt(meanSquare + 1e-5), out[1 + i], 1e-5, "n=" + n + " i=" + i);
            }
        }
    }

    @Test
    void softmaxIsStableForLargeLogitsAndSumsToOne() {
        var x = new float[] {9, 1000f, 999f, -1000f, 998f};
        Softmax.inPlace(x, 1, 4);
        double e1 = Math.exp(-1);
        double e2 = Math.exp(-2);
        double z = 1 + e1 + e2;
        assertEquals(9f, x[0]);
        assertEquals(1 / z, x[1], 1e-6);
        assertEquals(e1 / z, x[2], 1e-6);
        assertEquals(0, x[3], 1e-30);
        assertEquals(e2 / z, x[4], 1e-6);
    }

    @Test
    void swiGluIsSiluOfGateTimesUp() {
        var gate = new float[] {-3f, -0.5f, 0f, 0.5f, 4f};
        var up = new float[] {2f, -1f, 5f, 3f, 0.25f};
        var expected = new double[gate.length];
        for (int i = 0; i < gate.length; i++) expected[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
        SwiGlu.apply(gate, up, 1, 4);
        assertEquals(-3f, gate[0]); // outside the range: untouched
        for (int i = 1; i < gate.length; i++) assertEquals(expected[i], gate[i], 1e-6);
    }
}
