package ai.appliance.runtime.arch.deepseek2;

import static ai.appliance.runtime.synth.SyntheticModelSpec.ASSISTANT;
import static ai.appliance.runtime.synth.SyntheticModelSpec.BOS;
import static ai.appliance.runtime.synth.SyntheticModelSpec.EOS;
import static ai.appliance.runtime.synth.SyntheticModelSpec.USER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.loading.ArchitectureRegistry;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Scoring;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2Config.Selection;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.model.RopeStyle;
import ai.appliance.runtime.synth.SyntheticModelSpec;
import ai.appliance.runtime.synth.SyntheticModelWriter;
import ai.appliance.runtime.synth.SyntheticTensors;
import ai.appliance.runtime.tensor.GgmlType;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The synthetic DeepSeek models: real sizes, and small ones written as synth writes them that load and run. */
class DeepSeek2SyntheticTest {
    @TempDir
    Path dir;

    /** Counts parameters and records shapes, as synth plans them. */
    private static final class Plan implements SyntheticTensors {
        final Map<String, long[]> shapes = new LinkedHashMap<>();
        long parameters;

        public GgmlType matrixType() {
            return GgmlType.Q8_0;
        }

        public void matrix(String name, long... shape) {
            add(name, shape);
        }

        public void vector(String name, long length) {
            add(name, length);
        }

        public void floatMatrix(String name, long... shape) {
            add(name, shape);
        }

        public void ones(String name, long length) {
            add(name, length);
        }

        public void values(String name, float[] values) {
            add(name, values.length);
        }

        private void add(String name, long... shape) {
            long n = 1;
            for (long d : shape) n *= d;
            parameters += n;
            shapes.put(name, shape);
        }

        public long parameters() {
            return parameters;
        }
    }

    @Test
    void realModelsHaveTheirPublishedSizes() {
        var registry = ArchitectureRegistry.standard();
        var v3 = registry.syntheticModel("deepseek-v3");
        var lite = registry.syntheticModel("deepseek-v2-lite");
        var v3Plan = new Plan();
        v3.architecture().planSyntheticTensors(v3.config(), v3Plan);
        var litePlan = new Plan();
        lite.architecture().planSyntheticTensors(lite.config(), litePlan);
        System.out.printf(java.util.Locale.ROOT, "synthetic parameters: deepseek-v3 %d, deepseek-v2-lite %d%n", v3Plan.parameters, litePlan.parameters);
        // DeepSeek-V3: 671B parameters without its multi-token-prediction module; V2-Lite: 15.7B.
        assertTrue(v3Plan.parameters > 670e9 && v3Plan.parameters < 672e9, "V3 parameters " + v3Plan.parameters);
        assertTrue(litePlan.parameters > 15.6e9 && litePlan.parameters < 15.8e9, "V2-Lite parameters " + litePlan.parameters);
        // The split layout llama.cpp's load_tensors expects (ggml dims reversed): attn_k_b {128, 512, 128}, attn_v_b {512, 128, 128}.
        assertArrayEquals(new long[] {128, 512, 128}, v3Plan.shapes.get("blk.0.attn_k_b.weight"));
        assertArrayEquals(new long[] {128, 128, 512}, v3Plan.shapes.get("blk.0.attn_v_b.weight"));
        assertArrayEquals(new long[] {256, 2048, 7168}, v3Plan.shapes.get("blk.3.ffn_gate_exps.weight"));
        assertArrayEquals(new long[] {256, 7168, 2048}, v3Plan.shapes.get("blk.3.ffn_down_exps.weight"));
        assertArrayEquals(new long[] {256}, v3Plan.shapes.get("blk.3.exp_probs_b.bias"));
        assertArrayEquals(new long[] {18432, 7168}, v3Plan.shapes.get("blk.2.ffn_gate.weight"));
        assertArrayEquals(new long[] {128 * 192, 1536}, v3Plan.shapes.get("blk.0.attn_q_b.weight"));
        assertArrayEquals(new long[] {576, 2048}, litePlan.shapes.get("blk.0.attn_kv_a_mqa.weight"));
        assertArrayEquals(new long[] {16 * 192, 2048}, litePlan.shapes.get("blk.0.attn_q.weight"));
        assertArrayEquals(new long[] {2 * 1408, 2048}, litePlan.shapes.get("blk.1.ffn_gate_shexp.weight"));
        assertTrue(!litePlan.shapes.containsKey("blk.1.exp_probs_b.bias"));
        assertEquals("deepseek-v3", v3.architecture().tokenizerPreset(v3.config()));
        assertEquals("deepseek-llm", lite.architecture().tokenizerPreset(lite.config()));
        assertEquals(61L * 576 * 4, v3.config().kvCacheBytesPerToken());
    }

    /** Small configs of both kinds, with a vocabulary laid out like DeepSeek-V3's (BOS 0, EOS 1 before the BPE tokens). */
    private static SyntheticModelSpec small(boolean v3) {
        var config = v3
                ? new DeepSeek2Config(2100, 64, 3, 2, 32, 32, 32, 16, 32, 96, 32, 8, 1, 2, 4, 2, true, 2.5f, Scoring.SIGMOID,
                Selection.NOAUX_TC, 1, 1e-6f, 10000.0, RopeStyle.ADJACENT, new YarnScaling(4, 256, 32, 1, 1, 1), 512, false)
                : new DeepSeek2Config(2100, 64, 3, 2, 0, 32, 32, 16, 32, 96, 32, 8, 2, 3, 1, 1, false, 1f, Scoring.SOFTMAX,
                Selection.GREEDY, 1, 1e-6f, 10000.0, RopeStyle.ADJACENT, null, 512, false);
        var specials = new LinkedHashMap<Integer, String>();
        specials.put(0, BOS);
        specials.put(1, EOS);
        specials.put(2050, USER);
        specials.put(2051, ASSISTANT);
        return new SyntheticModelSpec("small", "Small", config, new DeepSeek2Architecture(), 2000, specials, Set.of(USER, ASSISTANT), 0, 1, 1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void smallSyntheticModelLoadsInTheSplitLayoutAndRuns(boolean v3) throws Exception {
        var spec = small(v3);
        var writer = new GgufWriter();
        SyntheticModelWriter.plan(spec, GgmlType.Q8_0, 11, writer);
        var file = dir.resolve("small.gguf");
        writer.write(file, bytes -> { });
        try (var files = ModelFiles.open(file); var model = (DeepSeek2Model) LanguageModels.onCpu(files, 2)) {
            assertEquals(spec.config(), files.config(), "the metadata reads back as the config it was written from");
            var gguf = files.gguf();
            var p = DeepSeek2Config.ARCHITECTURE + ".";
            assertEquals(1, gguf.getInt(p + "attention.head_count_kv"));
            assertEquals(32 + 16, gguf.getInt(p + "attention.key_length"));
            assertEquals(32, gguf.getInt(p + "attention.value_length"));
            assertEquals(48, gguf.getInt(p + "attention.key_length_mla"));
            assertEquals(32, gguf.getInt(p + "attention.value_length_mla"));
            assertEquals(BOS, gguf.getStringList("tokenizer.ggml.tokens").get(0));
            assertEquals("!", gguf.getStringList("tokenizer.ggml.tokens").get(2));
            assertNotNull(((DeepSeek2Weights) files.weights()).layers().get(1).kB());
            assertEquals(0, model.absorbedCopyBytes());
            try (var sequence = model.newSequence(8)) {
                var logits = model.forward(List.of(sequence), List.of(new int[] {0, 5, 6, 7}))[0];
                logits = model.forward(List.of(sequence), List.of(new int[] {8}))[0];
                for (float v : logits) assertTrue(Float.isFinite(v));
            }
        }
    }
}
