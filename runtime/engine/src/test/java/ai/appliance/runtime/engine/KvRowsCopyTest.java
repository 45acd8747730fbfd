package ai.appliance.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.testing.Fixtures;
import ai.appliance.runtime.testing.Reference;
import ai.appliance.runtime.testing.ReferenceChecks;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Cache rows copied out of one sequence and appended to a fresh one stand in for running their tokens: the rest of the
 * prompt then gives the logits of a sequence that ran the same two pieces itself (within 1e-4: the JIT may move a
 * kernel to another compiled tier in between, and tiers round differently, by up to 1.3e-5 seen) and, within the rounding of
 * a different chunking, those of the whole prompt at once, for Llama/Qwen2's K/V cache and DeepSeek's compressed
 * latent cache alike. Rows never move between two models, even two loads of one file.
 */
class KvRowsCopyTest {

    private static Path safetensors(String name) {
        return Fixtures.model(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama3", "tiny-deepseek-v2-lite", "tiny-deepseek-v3"})
    void appendedRowsGiveTheLogitsOfRunningTheWholePrompt(String name) {
        var reference = Reference.load(name, "f32");
        try (var files = ModelFiles.open(safetensors(name)); var model = LanguageModels.onCpu(files, 2)) {
            for (var prompt : reference.prompts()) {
                int[] ids = prompt.inputIds();
                if (ids.length < 4) continue;
                int reused = ids.length / 2;
                var rest = Arrays.copyOfRange(ids, reused, ids.length);
                float[] whole;
                try (var once = model.newSequence(ids.length)) {
                    whole = model.forward(List.of(once), List.of(ids))[0].clone();
                }
                float[] inTwoPieces;
                KvRows head;
                KvRows tail;
                try (var first = model.newSequence(ids.length)) {
                    model.forward(List.of(first), List.of(Arrays.copyOf(ids, reused)));
                    inTwoPieces = model.forward(List.of(first), List.of(rest))[0].clone();
                    assertTrue(first.copiesRows(), "a heap cache copies its rows");
                    head = first.copyRows(0, reused / 2);
                    tail = first.copyRows(reused / 2, reused - reused / 2);
                }
                assertEquals(reused / 2, head.count());
                assertTrue(head.bytes() > 0);
                try (var second = model.newSequence(ids.length)) {
                    second.appendRows(head);
                    second.appendRows(tail);
                    assertEquals(reused, second.length());
                    var logits = model.forward(List.of(second), List.of(rest))[0];
                    ReferenceChecks.assertClose(inTwoPieces, logits, 1e-4, name + " with " + reused + " positions copied");
                    ReferenceChecks.assertClose(whole, logits, 1e-4, name + " against the whole prompt at once");
                    ReferenceChecks.assertClose(prompt.lastLogits(), logits, 1e-3, name + " against the reference");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-deepseek-v2-lite"})
    void rowsOfAnotherModelAreRefused(String name) {
        try (var files = ModelFiles.open(safetensors(name)); var one = LanguageModels.onCpu(files, 1);
             var other = LanguageModels.onCpu(files, 1)) {
            KvRows rows;
            try (var sequence = one.newSequence(8)) {
                one.forward(List.of(sequence), List.of(new int[] {1, 2, 3}));
                rows = sequence.copyRows(0, 2);
            }
            try (var foreign = other.newSequence(8)) {
                var e = assertThrows(IllegalArgumentException.class, () -> foreign.appendRows(rows));
                assertTrue(e.getMessage().contains("another model"), e.getMessage());
                assertEquals(0, foreign.length());
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-deepseek-v3"})
    void rowsAreAppendedOnlyAtThePositionTheyWereCopiedFrom(String name) {
        try (var files = ModelFiles.open(safetensors(name)); var model = LanguageModels.onCpu(files, 1)) {
            KvRows later;
            try (var sequence = model.newSequence(8)) {
                model.forward(List.of(sequence), List.of(new int[] {1, 2, 3, 4}));
                later = sequence.copyRows(2, 2);
                assertThrows(IllegalArgumentException.class, () -> sequence.copyRows(3, 2), "past the processed length");
            }
            try (var fresh = model.newSequence(8)) {
                assertThrows(IllegalArgumentException.class, () -> fresh.appendRows(later));
                assertEquals(0, fresh.length());
            }
        }
    }
}
