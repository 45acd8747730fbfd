package ai.appliance.runtime.generation;

import ai.appliance.runtime.loading.LanguageModels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.appliance.runtime.engine.ContextOverflowException;
import ai.appliance.runtime.engine.LanguageModel;
import ai.appliance.runtime.engine.Sequence;
import ai.appliance.runtime.model.ModelConfig;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.sampling.SamplerSettings;
import ai.appliance.runtime.testing.Fixtures;
import ai.appliance.runtime.arch.llama.LlamaTransformer;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class ConversationTest {
    private static final TokenTextDecoder NO_TEXT = new TokenTextDecoder() {
        public String decode(int token) { return ""; }
        public String flush() { return ""; }
    };

    /** Counts the tokens each forward pass computes. */
    private static final class Counting implements LanguageModel {
        final LanguageModel inner;
        int tokens;

        Counting(LanguageModel inner) {
            this.inner = inner;
        }

        public ModelConfig config() { return inner.config(); }
        public Sequence newSequence(int capacity) { return inner.newSequence(capacity); }
        public float[][] forward(List<Sequence> sequences, List<int[]> batch) {
            for (var t : batch) tokens += t.length;
            return inner.forward(sequences, batch);
        }
        public void close() { inner.close(); }
    }

    @Test
    void laterTurnsRecomputeOnlyWhatFollowsTheCachedPrefixAndMatchAFreshRun() {
        try (var files = ModelFiles.open(Fixtures.model("tiny-llama3"));
             var model = new Counting(LanguageModels.onCpu(files, 1))) {
            var settings = new GenerationSettings(SamplerSettings.greedy(), 6, List.of(), Set.of());
            int[] first = {1401, 46, 77, 292, 494};
            try (var conversation = new Conversation(model, 64)) {
                var answer = conversation.generate(first, settings, NO_TEXT, step -> { });
                // Second prompt: the first turn, its answer, and a new message.
                var second = IntStream.concat(IntStream.concat(IntStream.of(first), IntStream.of(answer.tokens())),
                        IntStream.of(79, 269, 264)).toArray();
                model.tokens = 0;
                var reused = conversation.generate(second, settings, NO_TEXT, step -> { });
                // The cache held the first prompt and all answer tokens but the last (never fed):
                // only that one and the three new ones are computed, plus the 5 decoded tokens after the first.
                assertEquals(1 + 3 + 5, model.tokens);
                var fresh = new Generator(model).generate(second, settings, NO_TEXT, 64, step -> { });
                assertArrayEquals(fresh.tokens(), reused.tokens());
                // A prompt that diverges early truncates the cache back to the shared prefix.
                model.tokens = 0;
                var diverged = conversation.generate(new int[] {1401, 46, 5, 6}, settings, NO_TEXT, step -> { });
                assertEquals(2 + 5, model.tokens);
                assertArrayEquals(new Generator(model).generate(new int[] {1401, 46, 5, 6}, settings, NO_TEXT, 64, step -> { }).tokens(),
                        diverged.tokens());
                assertThrows(ContextOverflowException.class,
                        () -> conversation.generate(new int[65], settings, NO_TEXT, step -> { }));
            }
        }
    }
}
