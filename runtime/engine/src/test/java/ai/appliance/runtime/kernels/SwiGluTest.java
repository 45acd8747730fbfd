package ai.appliance.runtime.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SwiGluTest {

    @Test
    void vectorPathMatchesTheScalarFormulaForEveryLengthAndOffset() {
        var random = new Random(9);
        for (int n : new int[] {1, 7, 16, 17, 33, 100, 8960}) {
            var gate = RandomWeights.gaussian(n + 5, random);
            for (int i = 0; i < gate.length; i++) gate[i] *= 6; // reach the saturated ends of the sigmoid too
            var up = RandomWeights.gaussian(n + 5, random);
            var result = gate.clone();
            SwiGlu.apply(result, up, 3, n);
            for (int i = 0; i < gate.length; i++) {
                double expected = i < 3 || i >= 3 + n ? gate[i] : gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                assertEquals(expected, result[i], 1e-6 * Math.abs(expected) + 1e-30, "n=" + n + " i=" + i);
            }
        }
    }
}
