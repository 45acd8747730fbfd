package ai.appliance.runtime.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.generation.Generator;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.sampling.SamplerSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** The fixtures README's comparison rules, for any architecture's model against a reference.json variant. */
public final class ReferenceChecks {
    /** Greedy ids are compared up to the first step whose reference margin is below this. */
    public static final double GREEDY_MARGIN = 1e-2;

    private static final TokenTextDecoder NO_TEXT = new TokenTextDecoder() {
        public String decode(int token) { return ""; }
        public String flush() { return ""; }
    };

    private ReferenceChecks() {
    }

    /** Opens {@code path} on the CPU backend (2 threads) and checks last logits and greedy ids of every prompt. */
    public static void assertMatchesReference(Path path, Reference reference, double tolerance) {
        try (var files = ModelFiles.open(path); var model = LanguageModels.onCpu(files, 2)) {
            assertMatchesReference(model, path.toString(), reference, tolerance);
        }
    }

    /** Last logits of each prompt within {@code tolerance}, greedy ids (KV cache) equal up to the margin rule. */
    public static void assertMatchesReference(LanguageModel model, String what, Reference reference, double tolerance) {
        for (var prompt : reference.prompts()) {
            try (var sequence = model.newSequence(prompt.inputIds().length + 1)) {
                var logits = model.forward(List.of(sequence), List.of(prompt.inputIds()))[0];
                assertClose(prompt.lastLogits(), logits, tolerance, what + " prompt " + Arrays.toString(prompt.inputIds()));
            }
            int steps = prompt.comparableSteps(GREEDY_MARGIN);
            var settings = new GenerationSettings(SamplerSettings.greedy(), prompt.greedyIds().length, List.of(), Set.of());
            var result = new Generator(model).generate(prompt.inputIds(), settings, NO_TEXT, 1024, step -> { });
            assertArrayEquals(Arrays.copyOf(prompt.greedyIds(), steps), Arrays.copyOf(result.tokens(), steps),
                    what + ": greedy tokens of prompt " + Arrays.toString(prompt.inputIds()) + " (first " + steps + " steps)");
        }
    }

    /**
     * The README's allowance for engines that quantize activations to 8 bits: last logits within 0.15 and, teacher
     * forced along the reference's greedy ids, the top-1 token equal on every step whose margin exceeds 0.5.
     */
    public static void assertMatchesReferenceWithInt8Activations(LanguageModel model, String what, Reference reference) {
        for (var prompt : reference.prompts()) {
            try (var sequence = model.newSequence(prompt.inputIds().length + prompt.greedyIds().length)) {
                var logits = model.forward(List.of(sequence), List.of(prompt.inputIds()))[0];
                assertClose(prompt.lastLogits(), logits, 0.15, what + " prompt " + Arrays.toString(prompt.inputIds()));
                for (int step = 0; step < prompt.steps().size(); step++) {
                    var expected = prompt.steps().get(step);
                    if (expected.margin() > 0.5) {
                        assertEquals(expected.topIds()[0], ai.appliance.runtime.sampling.Sampler.argmax(logits),
                                what + ": top-1 token at greedy step " + step + " of prompt " + Arrays.toString(prompt.inputIds()));
                    }
                    if (step + 1 < prompt.steps().size()) {
                        logits = model.forward(List.of(sequence), List.of(new int[]{prompt.greedyIds()[step]}))[0];
                    }
                }
            }
        }
    }

    public static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": vocabulary size");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tolerance, what + ": largest logit difference " + worst + " at token " + at + " exceeds " + tolerance);
    }
}
