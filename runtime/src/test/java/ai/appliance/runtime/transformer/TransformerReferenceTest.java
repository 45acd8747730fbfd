package ai.appliance.runtime.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.backend.CpuBackend;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.generation.Generator;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.model.ModelFiles;
import ai.appliance.runtime.sampling.SamplerSettings;
import ai.appliance.runtime.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both fixture checkpoints in every format against transformers' reference numbers, under the
 * fixtures README's rules: last logits within the format's tolerance, greedy tokens (temperature-0
 * sampler, KV cache) equal through every step before the first one whose margin is below 1e-2.
 */
class TransformerReferenceTest {
    private static final double GREEDY_MARGIN = 1e-2;

    static Stream<Arguments> formats() {
        var out = new ArrayList<Arguments>();
        for (var model : List.of("tiny-qwen2", "tiny-llama3")) {
            out.add(Arguments.of(model, "", "f32", 1e-3));
            out.add(Arguments.of(model, model + "-f32.gguf", "f32", 1e-3));
            out.add(Arguments.of(model, model + "-f16.gguf", "f16_weights", 2e-3));
            // Weight-only Q8_0 dequantization with F32 activations reproduces the reference closely.
            out.add(Arguments.of(model, model + "-q8_0.gguf", "q8_0_weights", 1e-3));
        }
        return out.stream();
    }

    private static final TokenTextDecoder NO_TEXT = new TokenTextDecoder() {
        public String decode(int token) { return ""; }
        public String flush() { return ""; }
    };

    @ParameterizedTest(name = "{0} {1} vs {2}")
    @MethodSource("formats")
    void lastLogitsAndGreedyTokensMatchReference(String model, String file, String variant, double tolerance) {
        var path = file.isEmpty() ? Fixtures.model(model) : Fixtures.model(model).resolve(file);
        assertMatchesReference(path, Reference.load(model, variant), tolerance);
    }

    /** The fixtures README's rule for one model file against one reference variant. */
    static void assertMatchesReference(Path path, Reference reference, double tolerance) {
        try (var files = ModelFiles.open(path);
             var transformer = new Transformer(files.config(), files.weights(), new CpuBackend(2), 16)) {
            for (var prompt : reference.prompts()) {
                try (var sequence = transformer.newSequence(prompt.inputIds().length + 1)) {
                    var logits = transformer.forward(List.of(sequence), List.of(prompt.inputIds()))[0];
                    assertClose(prompt.lastLogits(), logits, tolerance, path + " prompt " + Arrays.toString(prompt.inputIds()));
                }
                int steps = prompt.comparableSteps(GREEDY_MARGIN);
                var settings = new GenerationSettings(SamplerSettings.greedy(), prompt.greedyIds().length, List.of(), Set.of());
                var result = new Generator(transformer).generate(prompt.inputIds(), settings, NO_TEXT, 1024, step -> { });
                assertArrayEquals(Arrays.copyOf(prompt.greedyIds(), steps), Arrays.copyOf(result.tokens(), steps),
                        path + ": greedy tokens of prompt " + Arrays.toString(prompt.inputIds()) + " (first " + steps + " steps)");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void batchedPassOverSeveralSequencesGivesEachItsOwnLogits(String model) {
        var reference = Reference.load(model, "f32");
        try (var files = ModelFiles.open(Fixtures.model(model));
             var transformer = new Transformer(files.config(), files.weights(), new CpuBackend(2), 5)) {
            var sequences = new ArrayList<Sequence>();
            var prompts = new ArrayList<int[]>();
            for (var prompt : reference.prompts()) {
                sequences.add(transformer.newSequence(prompt.inputIds().length + 1));
                prompts.add(prompt.inputIds());
            }
            // All prompts at once (chunks of 5 tokens straddle sequences), then one decode step for all.
            var logits = transformer.forward(sequences, prompts);
            for (int s = 0; s < sequences.size(); s++) {
                assertClose(reference.prompts().get(s).lastLogits(), logits[s], 1e-3, model + " sequence " + s);
            }
            var next = new ArrayList<int[]>();
            for (var prompt : reference.prompts()) next.add(new int[] {prompt.greedyIds()[0]});
            var stepLogits = transformer.forward(sequences, next);
            for (int s = 0; s < sequences.size(); s++) {
                var prompt = reference.prompts().get(s);
                if (prompt.steps().get(1).margin() >= GREEDY_MARGIN) {
                    assertEquals(prompt.greedyIds()[1], ai.appliance.runtime.sampling.Sampler.argmax(stepLogits[s]), model + " sequence " + s);
                }
                assertEquals(prompt.inputIds().length + 1, sequences.get(s).length());
            }
            sequences.forEach(Sequence::close);
        }
    }

    static Stream<String> models() {
        return Stream.of("tiny-qwen2", "tiny-llama3");
    }

    static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
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
