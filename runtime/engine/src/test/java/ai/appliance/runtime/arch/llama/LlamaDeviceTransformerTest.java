package ai.appliance.runtime.arch.llama;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.testing.Fixtures;
import ai.appliance.runtime.testing.HostDeviceBackend;
import ai.appliance.runtime.testing.Reference;
import ai.appliance.runtime.testing.ReferenceChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The device forward pass (stacked q/k/v and gate/up, fused residuals, caches addressed through slots) over a
 * host-memory device: the same reference numbers as the CPU pass, for every fixture format.
 */
class LlamaDeviceTransformerTest {

    static Stream<Arguments> formats() {
        var out = new ArrayList<Arguments>();
        for (var model : List.of("tiny-qwen2", "tiny-llama3")) {
            out.add(Arguments.of(model, "", "f32", 1e-3));
            out.add(Arguments.of(model, model + "-f16.gguf", "f16_weights", 2e-3));
            out.add(Arguments.of(model, model + "-q8_0.gguf", "q8_0_weights", 1e-3));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} vs {2}")
    @MethodSource("formats")
    void devicePassMatchesReference(String model, String file, String variant, double tolerance) {
        var path = file.isEmpty() ? Fixtures.model(model) : Fixtures.model(model).resolve(file);
        try (var files = ModelFiles.open(path);
             var transformer = files.architecture().newModel(files.config(), files.weights(), new HostDeviceBackend(2))) {
            assertInstanceOf(LlamaDeviceTransformer.class, transformer);
            ReferenceChecks.assertMatchesReference(transformer, path.toString(), Reference.load(model, variant), tolerance);
        }
    }

    @Test
    void sequencesBatchedTogetherEachGetTheirOwnLogits() {
        var reference = Reference.load("tiny-qwen2", "f32");
        try (var files = ModelFiles.open(Fixtures.model("tiny-qwen2"));
             var transformer = new LlamaDeviceTransformer((LlamaConfig) files.config(), (LlamaWeights) files.weights(),
                     new HostDeviceBackend(2), 5)) {
            var sequences = new ArrayList<Sequence>();
            var prompts = new ArrayList<int[]>();
            for (var prompt : reference.prompts()) {
                sequences.add(transformer.newSequence(prompt.inputIds().length + 1));
                prompts.add(prompt.inputIds());
            }
            // Chunks of 5 tokens straddle the sequences.
            var logits = transformer.forward(sequences, prompts);
            for (int s = 0; s < sequences.size(); s++) {
                ReferenceChecks.assertClose(reference.prompts().get(s).lastLogits(), logits[s], 1e-3, "sequence " + s);
            }
        }
    }
}
