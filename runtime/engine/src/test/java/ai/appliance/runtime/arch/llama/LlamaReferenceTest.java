package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.testing.Reference;
import ai.appliance.runtime.testing.ReferenceChecks;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.backend.CpuBackend;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.generation.Generator;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.loading.ModelFiles;
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
class LlamaReferenceTest {
    private static final double GREEDY_MARGIN = ReferenceChecks.GREEDY_MARGIN;

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

    @ParameterizedTest(name = "{0} {1} vs {2}")
    @MethodSource("formats")
    void lastLogitsAndGreedyTokensMatchReference(String model, String file, String variant, double tolerance) {
        var path = file.isEmpty() ? Fixtures.model(model) : Fixtures.model(model).resolve(file);
        ReferenceChecks.assertMatchesReference(path, Reference.load(model, variant), tolerance);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void batchedPassOverSeveralSequencesGivesEachItsOwnLogits(String model) {
        var reference = Reference.load(model, "f32");
        try (var files = ModelFiles.open(Fixtures.model(model));
             var transformer = new LlamaTransformer((LlamaConfig) files.config(), (LlamaWeights) files.weights(), new CpuBackend(2), 5)) {
            var sequences = new ArrayList<Sequence>();
            var prompts = new ArrayList<int[]>();
            for (var prompt : reference.prompts()) {
                sequences.add(transformer.newSequence(prompt.inputIds().length + 1));
                prompts.add(prompt.inputIds());
            }
            // All prompts at once (chunks of 5 tokens straddle sequences), then one decode step for all.
            var logits = transformer.forward(sequences, prompts);
            for (int s = 0; s < sequences.size(); s++) {
                ReferenceChecks.assertClose(reference.prompts().get(s).lastLogits(), logits[s], 1e-3, model + " sequence " + s);
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
}
