package ai.appliance.runtime.synth;

import ai.appliance.runtime.arch.llama.LlamaWeights;
import ai.appliance.runtime.arch.llama.LlamaConfig;
import ai.appliance.runtime.loading.ArchitectureRegistry;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.cli.Main;
import ai.appliance.runtime.gguf.GgufFile;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.arch.llama.LlamaVariant;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.arch.llama.Llama3RopeScaling;
import ai.appliance.runtime.model.RopeStyle;
import ai.appliance.runtime.quantize.HfTokenizerMetadata;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

class SyntheticModelTest {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @TempDir
    Path dir;

    /** Writes a Qwen 1.5B cut to one block (about 0.5 GB: the embeddings are full size) and loads it back. */
    @Test
    void qwen15bOneLayerQ8LoadsWithTheRealShapesAndMetadata() throws Exception {
        var out = dir.resolve("qwen.gguf");
        assertEquals(0, Main.newCommandLine().execute("synth", "--model", "deepseek-r1-distill-qwen-1.5b", "--type", "q8_0",
                "--layers", "1", "--seed", "7", "--out", out.toString()));
        try (var model = ModelFiles.open(out)) {
            var c = (LlamaConfig) model.config();
            assertEquals(LlamaVariant.QWEN2, c.variant());
            assertEquals(151936, c.vocabularySize());
            assertEquals(1536, c.embeddingLength());
            assertEquals(8960, c.feedForwardLength());
            assertEquals(1, c.layerCount());
            assertEquals(12, c.headCount());
            assertEquals(2, c.keyValueHeadCount());
            assertEquals(128, c.headDimension());
            assertEquals(10000.0, c.ropeTheta());
            assertEquals(1e-6f, c.rmsNormEpsilon());
            assertEquals(131072, c.contextLength());
            assertEquals(RopeStyle.HALVES, c.ropeStyle());
            assertTrue(!c.tiedEmbeddings());
            var gguf = model.gguf();
            assertEquals(7, gguf.getInt("general.file_type"));
            assertTrue(gguf.getString("general.name").contains("RANDOM WEIGHTS"));
            assertEquals("1.5B", gguf.getString("general.size_label"));
            assertEquals(151936, gguf.getStringList("tokenizer.ggml.tokens").size());
            assertEquals(151646, gguf.getInt("tokenizer.ggml.bos_token_id"));
            assertEquals("<\uFF5Cbegin\u2581of\u2581sentence\uFF5C>", gguf.getStringList("tokenizer.ggml.tokens").get(151646));
            assertEquals(SyntheticModelWriter.chatTemplate(), gguf.getString("tokenizer.chat_template"));
            assertTrue(gguf.getString("tokenizer.chat_template").contains("<\uFF5CAssistant\uFF5C>"));
            var q = ((LlamaWeights) model.weights()).layers().getFirst().query();
            assertEquals(GgmlType.Q8_0, q.type());
            assertArrayEquals(new long[] {1536, 1536}, q.shape());
            assertStd(q8Values(((LlamaWeights) model.weights()).output(), 20000), 0.02, 0.002);
            assertEquals(1f, ((LlamaWeights) model.weights()).outputNorm().data().get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
        }
    }

    @Test
    void sameSeedSameBytesOtherSeedOtherBytes() throws Exception {
        var spec = ArchitectureRegistry.standard().syntheticModel("deepseek-r1-distill-qwen-7b").withLayers(2);
        var a = smallTensorsOf(spec, GgmlType.Q8_0, 1, "a");
        var b = smallTensorsOf(spec, GgmlType.Q8_0, 1, "b");
        var c = smallTensorsOf(spec, GgmlType.Q8_0, 2, "c");
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
        assertNotEquals(java.util.Arrays.hashCode(Files.readAllBytes(a)), java.util.Arrays.hashCode(Files.readAllBytes(c)));
    }

    @Test
    void llama8bPlanHasTheRealShapesRopeFreqsAndF16ValuesOfSmallStd() throws Exception {
        var spec = ArchitectureRegistry.standard().syntheticModel("deepseek-r1-distill-llama-8b");
        var writer = new GgufWriter();
        SyntheticModelWriter.plan(spec, GgmlType.F16, 3, writer);
        var shapes = new HashMap<String, long[]>();
        var types = new HashMap<String, GgmlType>();
        writer.tensors().forEach(t -> {
            shapes.put(t.name(), t.shape());
            types.put(t.name(), t.type());
        });
        assertEquals(4 + 32 * 9, shapes.size(), "rope_freqs, embeddings, output norm, output, and 9 per block");
        assertArrayEquals(new long[] {128256, 4096}, shapes.get("token_embd.weight"));
        assertArrayEquals(new long[] {1024, 4096}, shapes.get("blk.31.attn_k.weight"));
        assertArrayEquals(new long[] {14336, 4096}, shapes.get("blk.0.ffn_gate.weight"));
        assertArrayEquals(new long[] {4096, 14336}, shapes.get("blk.0.ffn_down.weight"));
        assertEquals(GgmlType.F16, types.get("output.weight"));
        assertEquals(GgmlType.F32, types.get("blk.3.ffn_norm.weight"));
        var meta = new HashMap<String, Object>();
        writer.metadata().forEach(e -> meta.put(e.key(), e.value()));
        assertEquals("llama", meta.get("general.architecture"));
        assertEquals(500000f, meta.get("llama.rope.freq_base"));
        assertEquals(1e-5f, meta.get("llama.attention.layer_norm_rms_epsilon"));
        assertEquals(8L, meta.get("llama.attention.head_count_kv"));
        assertEquals(128256L, meta.get("llama.vocab_size"));
        assertEquals("llama-bpe", meta.get("tokenizer.ggml.pre"));
        assertEquals("8B", meta.get("general.size_label"));

        var file = smallTensorsOf(spec.withLayers(1), GgmlType.F16, 3, "llama");
        try (var gguf = GgufFile.open(file)) {
            var k = gguf.tensor("blk.0.attn_k.weight");
            var values = new double[(int) k.elementCount()];
            for (int i = 0; i < values.length; i++) values[i] = Float.float16ToFloat(k.data().get(I16, 2L * i));
            assertStd(values, 0.02, 0.001);
            var factors = gguf.tensor("rope_freqs.weight").data().toArray(ValueLayout.JAVA_FLOAT_UNALIGNED);
            assertEquals(64, factors.length);
            assertEquals(1f, factors[0]);
            assertEquals(8f, factors[63]);
        }
        assertEquals(new Llama3RopeScaling(8, 1, 4, 8192), ((LlamaConfig) spec.config()).ropeScaling());
    }

    @Test
    void vocabulariesHaveExactSizeUniqueTokensAndConsistentMerges() {
        for (var spec : ArchitectureRegistry.standard().syntheticModels().values()) {
            var v = SyntheticVocabulary.build(spec);
            assertEquals(spec.config().vocabularySize(), v.tokens().size(), spec.id());
            assertEquals(spec.config().vocabularySize(), v.types().length, spec.id());
            var ids = new HashMap<String, Integer>();
            for (int i = 0; i < v.tokens().size(); i++) {
                assertTrue(ids.put(v.tokens().get(i), i) == null, spec.id() + ": duplicate token " + v.tokens().get(i));
            }
            assertTrue(v.merges().size() > 300, spec.id() + " merges: " + v.merges().size());
            var seenMerged = new HashSet<String>();
            for (var merge : v.merges()) {
                var parts = merge.split(" ");
                assertEquals(2, parts.length, merge);
                assertTrue(ids.containsKey(parts[0]) && ids.containsKey(parts[1]), "merge of unknown tokens: " + merge);
                assertTrue(ids.containsKey(parts[0] + parts[1]), "merge without result token: " + merge);
                seenMerged.add(parts[0] + parts[1]);
            }
            assertTrue(seenMerged.contains("\u0120the"), "' the' is a single token");
            assertEquals(HfTokenizerMetadata.CONTROL, v.types()[spec.bosId()]);
            assertEquals(HfTokenizerMetadata.CONTROL, v.types()[spec.eosId()]);
            if (ids.containsKey("<think>")) assertEquals(HfTokenizerMetadata.USER_DEFINED, v.types()[ids.get("<think>")]); // R1 vocabularies
            assertEquals(HfTokenizerMetadata.CONTROL, v.types()[ids.get("<\uFF5CUser\uFF5C>")]);
            // The byte tokens come first, after any special tokens placed before them (DeepSeek-V3: BOS 0, EOS 1, pad 2).
            int firstRegular = 0;
            while (spec.specialTokens().containsKey(firstRegular)) firstRegular++;
            assertEquals("!", v.tokens().get(firstRegular), spec.id());
        }
    }

    /** bench measures every kernel on synth files, so each type must decode (scalar reference) to mean 0, std 0.02. */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q8_0", "Q4_0", "Q4_K", "Q6_K", "F16", "BF16"})
    void everyTypeDecodesToValuesOfMeanZeroAndTheWeightStd(GgmlType type) throws Exception {
        var spec = ArchitectureRegistry.standard().syntheticModel("deepseek-r1-distill-qwen-1.5b").withLayers(1);
        var plan = new GgufWriter();
        SyntheticModelWriter.plan(spec, type, 5, plan);
        var meta = new HashMap<String, Object>();
        plan.metadata().forEach(e -> meta.put(e.key(), e.value()));
        assertEquals(Map.of(GgmlType.Q8_0, 7, GgmlType.Q4_0, 2, GgmlType.Q4_K, 14, GgmlType.Q6_K, 18, GgmlType.F16, 1,
                GgmlType.BF16, 32).get(type), ((Number) meta.get("general.file_type")).intValue());
        var file = smallTensorsOf(spec, type, 5, type.name());
        try (var gguf = GgufFile.open(file)) {
            var k = gguf.tensor("blk.0.attn_k.weight");
            assertEquals(type, k.type());
            var values = new float[(int) k.elementCount()];
            for (int row = 0; row < k.shape()[0]; row++) {
                Dequantize.row(type, k.data(), (int) k.shape()[1], row, values, row * (int) k.shape()[1]);
            }
            // Q4_0 (-8..7) and Q6_K (-32..31) grids are asymmetric: uniform quants average half a step below 0.
            double halfStep = switch (type) {
                case Q4_0 -> 0.5 * 0.02 / Math.sqrt(255 / 12.0);
                case Q6_K -> 0.5 * 0.02 / Math.sqrt(4095 / 12.0);
                default -> 0;
            };
            var doubles = new double[values.length];
            for (int i = 0; i < values.length; i++) doubles[i] = values[i] + halfStep;
            assertStd(doubles, 0.02, 0.002);
        }
    }

    /** Writes only the small tensors of a planned model (vectors, rope_freqs, attention k and v) to a GGUF. */
    private Path smallTensorsOf(SyntheticModelSpec spec, GgmlType type, long seed, String name) throws Exception {
        var full = new GgufWriter();
        SyntheticModelWriter.plan(spec, type, seed, full);
        var small = new GgufWriter();
        for (var t : full.tensors()) {
            if (t.shape().length == 1 || t.name().endsWith("attn_k.weight") || t.name().endsWith("attn_v.weight")) {
                small.addTensor(t.name(), t.type(), t.shape(), t.content());
            }
        }
        var out = dir.resolve(name + ".gguf");
        small.write(out, n -> { });
        return out;
    }

    private static double[] q8Values(Tensor t, int blocks) {
        var values = new double[blocks * 32];
        for (int b = 0; b < blocks; b++) {
            float d = Float.float16ToFloat(t.data().get(I16, 34L * b));
            for (int i = 0; i < 32; i++) values[b * 32 + i] = d * t.data().get(ValueLayout.JAVA_BYTE, 34L * b + 2 + i);
        }
        return values;
    }

    private static void assertStd(double[] values, double expected, double tolerance) {
        double sum = 0;
        double squares = 0;
        for (double v : values) {
            assertTrue(Double.isFinite(v));
            sum += v;
            squares += v * v;
        }
        double mean = sum / values.length;
        double std = Math.sqrt(squares / values.length - mean * mean);
        assertEquals(expected, std, tolerance, "standard deviation");
        assertEquals(0, mean, 5 * expected / Math.sqrt(values.length) + 1e-4, "mean");
    }
}
