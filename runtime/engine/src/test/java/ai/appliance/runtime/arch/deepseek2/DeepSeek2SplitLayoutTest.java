package ai.appliance.runtime.arch.deepseek2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.testing.Fixtures;
import ai.appliance.runtime.testing.Reference;
import ai.appliance.runtime.testing.ReferenceChecks;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The split GGUF layout ({@code attn_k_b}/{@code attn_v_b}, {@code head_count_kv} 1, {@code *_length_mla}) that newer
 * llama.cpp converters write, made from each fixture's legacy F16 file exactly as the converter splits
 * {@code kv_b_proj}: the same weights, so the same reference numbers; its per-head matrices are used in place.
 */
class DeepSeek2SplitLayoutTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-deepseek-v3", "tiny-deepseek-v2-lite"})
    void splitLayoutMatchesTheReference(String model) throws Exception {
        var legacy = Fixtures.model(model).resolve(model + "-f16.gguf");
        var split = GgufRewrite.splitKvB(legacy, dir.resolve(model + "-split-f16.gguf"));
        var reference = Reference.load(model, "f16_weights");
        try (var files = ModelFiles.open(split); var language = LanguageModels.onCpu(files, 2)) {
            var weights = (DeepSeek2Weights) files.weights();
            for (var layer : weights.layers()) {
                assertNull(layer.kvB());
                assertNotNull(layer.kB());
                assertNotNull(layer.vB());
            }
            try (var legacyFiles = ModelFiles.open(legacy)) {
                assertEquals(legacyFiles.config(), files.config(), "both layouts describe the same model");
            }
            assertEquals(0, ((DeepSeek2Model) language).absorbedCopyBytes(), "split tensors are used in place");
            double worst = DeepSeek2ReferenceTest.largestLogitDifference(language, reference);
            System.out.printf(Locale.ROOT, "%s split F16 vs f16_weights: largest last-logit difference %.3g%n", model, worst);
            ReferenceChecks.assertMatchesReference(language, split.toString(), reference, 2e-3);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-deepseek-v3", "tiny-deepseek-v2-lite"})
    void legacyLayoutCopiesOnlyTheTransposedKeyProjection(String model) {
        try (var files = ModelFiles.open(Fixtures.model(model).resolve(model + "-f16.gguf"));
             var language = (DeepSeek2Model) LanguageModels.onCpu(files, 1)) {
            var c = (DeepSeek2Config) files.config();
            // F16 stays F16 (the transpose is exact): heads × nope × kv_lora × 2 bytes per layer.
            assertEquals((long) c.layerCount() * c.headCount() * c.qkNopeHeadDim() * c.kvLoraRank() * 2, language.absorbedCopyBytes());
        }
        try (var files = ModelFiles.open(Fixtures.model(model).resolve(model + "-q8_0.gguf"));
             var language = (DeepSeek2Model) LanguageModels.onCpu(files, 1)) {
            var c = (DeepSeek2Config) files.config();
            assertEquals((long) c.layerCount() * c.headCount() * c.qkNopeHeadDim() * c.kvLoraRank() * 4, language.absorbedCopyBytes(),
                    "Q8_0 is transposed into F32 (exact values)");
            assertTrue(language.absorbedCopyBytes() > 0);
        }
    }
}
