package ai.appliance.runtime.arch.deepseek2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.appliance.runtime.backend.CpuBackend;
import ai.appliance.runtime.engine.ContextOverflowException;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.sampling.Sampler;
import ai.appliance.runtime.testing.Fixtures;
import ai.appliance.runtime.testing.Reference;
import ai.appliance.runtime.testing.ReferenceChecks;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The model's contract beyond single prompts: batches of sequences, chunks that straddle them, truncation, overflow. */
class DeepSeek2ModelTest {

    private static DeepSeek2Model model(ModelFiles files, int chunk) {
        return new DeepSeek2Model((DeepSeek2Config) files.config(), (DeepSeek2Weights) files.weights(), new CpuBackend(2), chunk);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-deepseek-v3", "tiny-deepseek-v2-lite"})
    void batchedPassOverSeveralSequencesGivesEachItsOwnLogits(String name) {
        var reference = Reference.load(name, "f32");
        try (var files = ModelFiles.open(Fixtures.model(name)); var model = model(files, 5)) {
            var sequences = new ArrayList<Sequence>();
            var prompts = new ArrayList<int[]>();
            for (var prompt : reference.prompts()) {
                sequences.add(model.newSequence(prompt.inputIds().length + 1));
                prompts.add(prompt.inputIds());
            }
            // All prompts at once (chunks of 5 tokens straddle sequences, experts grouped across them), then one decode step for all.
            var logits = model.forward(sequences, prompts);
            for (int s = 0; s < sequences.size(); s++) {
                ReferenceChecks.assertClose(reference.prompts().get(s).lastLogits(), logits[s], 1e-3, name + " sequence " + s);
            }
            var next = new ArrayList<int[]>();
            for (var prompt : reference.prompts()) next.add(new int[] {prompt.greedyIds()[0]});
            var stepLogits = model.forward(sequences, next);
            for (int s = 0; s < sequences.size(); s++) {
                var prompt = reference.prompts().get(s);
                if (prompt.steps().get(1).margin() >= ReferenceChecks.GREEDY_MARGIN) {
                    assertEquals(prompt.greedyIds()[1], Sampler.argmax(stepLogits[s]), name + " sequence " + s);
                }
                assertEquals(prompt.inputIds().length + 1, sequences.get(s).length());
            }
            sequences.forEach(Sequence::close);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-deepseek-v3", "tiny-deepseek-v2-lite"})
    void truncatedSequenceForgetsWhatFollowedTheKeptPrefix(String name) {
        var ids = Reference.load(name, "f32").prompts().getFirst().inputIds();
        int keep = ids.length / 2;
        var prefix = Arrays.copyOf(ids, keep);
        var rest = Arrays.copyOfRange(ids, keep, ids.length);
        try (var files = ModelFiles.open(Fixtures.model(name)); var model = model(files, 64);
             var plain = model.newSequence(ids.length); var reused = model.newSequence(ids.length + 8)) {
            var whole = model.forward(List.of(model.newSequence(ids.length)), List.of(ids))[0].clone();
            model.forward(List.of(plain), List.of(prefix));
            var expected = model.forward(List.of(plain), List.of(rest))[0].clone();
            // Other tokens after the prefix, then truncated back to it: the cache rows they wrote must not matter.
            model.forward(List.of(reused), List.of(prefix));
            model.forward(List.of(reused), List.of(new int[] {5, 6, 7, 8, 9, 10, 11, 12}));
            reused.truncate(keep);
            assertEquals(keep, reused.length());
            var again = model.forward(List.of(reused), List.of(rest))[0];
            // Equal but for float rounding (the JIT may compile a kernel between the two passes, which can change the
            // order of a vector reduction); rows left over from the other tokens would move the logits by far more.
            ReferenceChecks.assertClose(expected, again, 1e-4, name + " after truncation");
            ReferenceChecks.assertClose(whole, again, 1e-4, name + " prefix then rest vs all at once");
            assertThrows(IllegalArgumentException.class, () -> reused.truncate(ids.length + 1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-deepseek-v3"})
    void overflowingTheCacheChangesNothing(String name) {
        try (var files = ModelFiles.open(Fixtures.model(name)); var model = model(files, 64); var sequence = model.newSequence(4)) {
            model.forward(List.of(sequence), List.of(new int[] {1, 2, 3}));
            assertThrows(ContextOverflowException.class, () -> model.forward(List.of(sequence), List.of(new int[] {4, 5})));
            assertEquals(3, sequence.length());
            assertThrows(IllegalArgumentException.class, () -> model.newSequence(files.config().contextLength() + 1));
            assertArrayEquals(new long[] {3L * 4 * 80 * 4 + 1207 * 4}, new long[] {model.sequenceBytes(4)},
                    "latent cache of 3 layers × 4 positions × (64 + 16) floats, and the logits");
        }
    }

    /** Decode reads every tensor once but the embedding (one row) and the routed experts (only k of them per layer). */
    @ParameterizedTest
    @ValueSource(strings = {"tiny-deepseek-v3/tiny-deepseek-v3-q8_0.gguf", "tiny-deepseek-v2-lite"})
    void decodeBytesCountOnlyTheExpertsATokenUses(String path) {
        try (var files = ModelFiles.open(Fixtures.path("models/" + path))) {
            var c = (DeepSeek2Config) files.config();
            var w = (DeepSeek2Weights) files.weights();
            long total = 0;
            for (var t : w.tensors()) total += t.data().byteSize();
            long routed = 0;
            for (var layer : w.layers()) for (var t : layer.expertTensors()) routed += t.data().byteSize();
            long embedding = w.tokenEmbedding().data().byteSize();
            long expected = total - routed + routed / (c.layerCount() - c.leadingDenseBlocks()) / c.expertCount() * c.expertsPerToken()
                    * (c.layerCount() - c.leadingDenseBlocks()) - embedding + embedding / c.vocabularySize();
            assertEquals(expected, w.decodeBytesPerToken());
            assertEquals(true, w.matrices().containsAll(w.layers().getLast().expertTensors()));
        }
    }
}
