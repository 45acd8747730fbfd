package ai.appliance.runtime.watermark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.loading.ArchitectureRegistry;
import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.synth.SyntheticModelWriter;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.testing.Fixtures;
import ai.appliance.runtime.tokenizer.Tokenizer;
import ai.appliance.runtime.tokenizer.Tokenizers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The acceptance: 200 watermarked tokens are detected (z > 4) in nearly all of many seeded runs, unmarked
 * ones almost never reach z = 2. Runs are seeded (sampling seed = run number, temperature 1, nothing cut off) and
 * the key is fixed, so the figures printed are reproducible; the bounds are looser than what was measured so that a
 * legitimate change of the sampler's random stream does not fail them.
 *
 * <p>Detection here reads the generated token ids. Reading decoded text back through the tokenizer is printed
 * beside it: these random-weight models emit token sequences that are not what the tokenizer makes of their text
 * (byte tokens that split UTF-8 characters, pieces the tokenizer would merge), so re-tokenized text carries much
 * less of the mark than a trained model's text would. The demo model's text is mostly {@code [PADn]} placeholder
 * tokens that do not encode back at all, so for it only the ids are scored.
 */
class WatermarkDetectionTest {
    private static final int TOKENS = 200;
    private static final Watermark WATERMARK = new Watermark(
            WatermarkKey.fromHex("3f1c5a7e9b2d4068a1c3e5f7092b4d6f8a0c2e4f6a8b0d2e4f6081a3c5e7f9b1"), WatermarkSettings.DEFAULTS);
    private static final String[] PROMPTS = {"Once upon a time there was a", "The temperature of the machine is",
            "Why is the sky blue? Because", "The patient told the doctor that", "Hello world, this model will"};

    @TempDir
    Path dir;

    /** What one model's runs gave, marked and not. */
    private record Rates(String model, int runs, List<Detection> marked, List<Detection> plain, double markedPerplexity,
                         double plainPerplexity) {
        long count(List<Detection> detections, java.util.function.Predicate<Detection> test) {
            return detections.stream().filter(test).count();
        }

        double mean(List<Detection> detections, ToDoubleFunction<Detection> value) {
            return detections.stream().mapToDouble(value).average().orElseThrow();
        }

        String describe(String path) {
            return String.format("%s, %s, %d runs of %d tokens: marked z > 4 in %d (z from %.2f, mean %.2f, green %.3f),"
                            + " unmarked z < 2 in %d, z > 4 in %d (z up to %.2f, mean %.2f, green %.3f)%s", model, path, runs,
                    TOKENS,
                    count(marked, d -> d.z() > 4), marked.stream().mapToDouble(Detection::z).min().orElseThrow(),
                    mean(marked, Detection::z), mean(marked, Detection::greenFraction),
                    count(plain, d -> d.z() < 2), count(plain, d -> d.z() > 4),
                    plain.stream().mapToDouble(Detection::z).max().orElseThrow(), mean(plain, Detection::z),
                    mean(plain, Detection::greenFraction), Double.isNaN(markedPerplexity) ? ""
                            : String.format("; model perplexity on its own output: marked %.2f, unmarked %.2f",
                                    markedPerplexity, plainPerplexity));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-qwen2", "tiny-llama3"})
    void twoHundredMarkedTokensOfAFixtureModelAreDetectedAndUnmarkedOnesAreNot(String name) {
        var model = Fixtures.model(name);
        var tokenizer = Tokenizers.load(model);
        var ids = measure(name, model, tokenizer, 50, false, true);
        assertRates(ids, 0.9);
        // The cost in quality: the model finds marked output less likely than its own unmarked samples.
        assertTrue(ids.markedPerplexity() > ids.plainPerplexity(), ids.describe("ids"));
        var text = measure(name, model, tokenizer, 50, true, false);
        System.out.println(text.describe("read back from text"));
        // Re-tokenized noise keeps part of the mark, and unmarked text is still never flagged.
        assertEquals(0, text.count(text.plain(), d -> d.z() > 4), text.describe("text"));
        assertTrue(text.mean(text.marked(), Detection::z) > text.mean(text.plain(), Detection::z) + 2, text.describe("text"));
    }

    @Test
    void twoHundredMarkedTokensOfTheDemoModelAreDetectedAndUnmarkedOnesAreNot() throws Exception {
        var demo = dir.resolve("demo.gguf");
        var writer = new GgufWriter();
        // The model serve writes when nothing is configured (DemoModel): the 1.5B distill's vocabulary, 2 small layers.
        SyntheticModelWriter.plan(ArchitectureRegistry.standard().syntheticModel("deepseek-r1-distill-qwen-1.5b-demo"),
                GgmlType.Q8_0, 42, writer);
        writer.write(demo, written -> { });
        // 20 runs, not 50: its 152k-token output layer makes each token cost what a thousand fixture tokens do.
        assertRates(measure("demo", demo, Tokenizers.load(demo), 20, false, false), 0.9);
    }

    private static void assertRates(Rates rates, double share) {
        var description = rates.describe("ids");
        System.out.println(description);
        assertTrue(rates.count(rates.marked(), d -> d.z() > 4) >= share * rates.runs(), description);
        assertTrue(rates.count(rates.plain(), d -> d.z() < 2) >= share * rates.runs(), description);
        assertEquals(0, rates.count(rates.plain(), d -> d.z() > 4), description);
    }

    /** Marked and unmarked runs of one model, scored on their ids or on their text read back. */
    private static Rates measure(String name, Path path, Tokenizer tokenizer, int runs, boolean throughText,
                                 boolean logprobs) {
        var prompts = new ArrayList<int[]>();
        for (var text : PROMPTS) {
            var body = tokenizer.encode(text);
            var prompt = new int[body.length + 1];
            prompt[0] = tokenizer.bosId();
            System.arraycopy(body, 0, prompt, 1, body.length);
            prompts.add(prompt);
        }
        try (var files = ModelFiles.open(path); var model = LanguageModels.onCpu(files, 2)) {
            var marked = SeededRuns.generate(model, prompts, runs, TOKENS, i -> List.of(WATERMARK.newProcessor()),
                    logprobs);
            var plain = SeededRuns.generate(model, prompts, runs, TOKENS, i -> List.of(), logprobs);
            var detector = WATERMARK.newDetector(false);
            ToDoubleFunction<List<SeededRuns.Run>> perplexity =
                    r -> r.stream().mapToDouble(SeededRuns.Run::perplexity).average().orElseThrow();
            java.util.function.Function<SeededRuns.Run, Detection> score = run -> detector.detect(
                    throughText ? tokenizer.encode(tokenizer.decode(run.tokens())) : run.tokens());
            return new Rates(name, runs, marked.stream().map(score).toList(), plain.stream().map(score).toList(),
                    perplexity.applyAsDouble(marked), perplexity.applyAsDouble(plain));
        }
    }
}
