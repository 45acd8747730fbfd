package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.loading.LanguageModels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.engine.ContextOverflowException;
import ai.appliance.runtime.generation.GenerationSettings;
import ai.appliance.runtime.generation.Generator;
import ai.appliance.runtime.generation.TokenTextDecoder;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.sampling.SamplerSettings;
import ai.appliance.runtime.testing.Fixtures;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LlamaTransformerContractTest {

    @Test
    void overflowingOneSequenceRejectsTheWholeBatchAndChangesNothing() {
        try (var files = ModelFiles.open(Fixtures.model("tiny-qwen2"));
             var model = LanguageModels.onCpu(files, 2);
             var roomy = model.newSequence(10);
             var tight = model.newSequence(3)) {
            model.forward(List.of(tight), List.of(new int[] {1, 2}));
            var e = assertThrows(ContextOverflowException.class,
                    () -> model.forward(List.of(roomy, tight), List.of(new int[] {5}, new int[] {3, 4})));
            assertTrue(e.getMessage().contains("need 4 positions but the context holds 3"), e.getMessage());
            assertEquals(0, roomy.length());
            assertEquals(2, tight.length());
        }
    }

    @Test
    void tokenOutsideTheVocabularyIsRejected() {
        try (var files = ModelFiles.open(Fixtures.model("tiny-qwen2"));
             var model = LanguageModels.onCpu(files, 1);
             var sequence = model.newSequence(4)) {
            var e = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(List.of(sequence), List.of(new int[] {1207})));
            assertTrue(e.getMessage().contains("outside the vocabulary"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.newSequence(1025));
        }
    }

    @Test
    void promptLongerThanTheContextIsAClearError() {
        try (var files = ModelFiles.open(Fixtures.model("tiny-llama3"));
             var model = LanguageModels.onCpu(files, 1)) {
            var settings = new GenerationSettings(SamplerSettings.greedy(), 4, List.of(), Set.of());
            var decoder = new TokenTextDecoder() {
                public String decode(int token) { return ""; }
                public String flush() { return ""; }
            };
            var e = assertThrows(ContextOverflowException.class,
                    () -> new Generator(model).generate(new int[] {1, 2, 3, 4, 5}, settings, decoder, 4, step -> { }));
            assertTrue(e.getMessage().contains("context holds 4"), e.getMessage());
        }
    }
}
