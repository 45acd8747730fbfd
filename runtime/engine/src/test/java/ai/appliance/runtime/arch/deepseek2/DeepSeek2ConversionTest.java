package ai.appliance.runtime.arch.deepseek2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.arch.deepseek2.DeepSeek2TensorNames.ExpertMatrix;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2TensorNames.Layer;
import ai.appliance.runtime.gguf.GgufWriter;
import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.quantize.FloatRows;
import ai.appliance.runtime.tensor.GgmlType;
import ai.appliance.runtime.tensor.Tensor;
import ai.appliance.runtime.testing.Fixtures;
import ai.appliance.runtime.testing.Reference;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * quantize's conversion of a checkpoint: the split layout with attn_k_b transposed per head, stacked experts, F32
 * vectors and router, Q8_0 matrices; read back, it describes the same model and its weights are the checkpoint's
 * within Q8_0 rounding.
 */
class DeepSeek2ConversionTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-deepseek-v3", "tiny-deepseek-v2-lite"})
    void checkpointConvertsToSplitLayoutQ8(String model) throws Exception {
        var out = dir.resolve(model + "-q8_0-split.gguf");
        try (var checkpoint = ModelFiles.open(Fixtures.model(model))) {
            var writer = new GgufWriter();
            checkpoint.architecture().planGgufFromCheckpoint(checkpoint.config(), checkpoint.tensors(), writer, GgmlType.Q8_0);
            writer.write(out, bytes -> { });
            try (var converted = ModelFiles.open(out); var language = LanguageModels.onCpu(converted, 2)) {
                var c = (DeepSeek2Config) checkpoint.config();
                assertEquals(c, converted.config());
                var hf = DeepSeek2TensorNames.HUGGING_FACE;
                var gg = DeepSeek2TensorNames.GGUF;
                var source = checkpoint.tensors();
                var target = converted.tensors();
                int heads = c.headCount();
                int nope = c.qkNopeHeadDim();
                int v = c.valueHeadDim();
                int rank = c.kvLoraRank();
                for (int l = 0; l < c.layerCount(); l++) {
                    var kvB = values(source.optional(hf.layer(l, Layer.KV_B)));
                    var kB = values(target.required(gg.layer(l, Layer.K_B), heads, rank, nope));
                    var vB = values(target.required(gg.layer(l, Layer.V_B), heads, v, rank));
                    for (int h = 0; h < heads; h++) {
                        for (int r = 0; r < rank; r++) {
                            for (int n = 0; n < nope; n++) {
                                assertClose(kvB[((h * (nope + v)) + n) * rank + r], kB[(h * rank + r) * nope + n], "k_b");
                            }
                        }
                        for (int j = 0; j < v * rank; j++) assertClose(kvB[(h * (nope + v) + nope) * rank + j], vB[h * v * rank + j], "v_b");
                    }
                    assertEquals(GgmlType.F32, target.optional(gg.layer(l, Layer.ATTENTION_NORM)).type());
                    if (!c.isMoeLayer(l)) continue;
                    assertEquals(GgmlType.F32, target.optional(gg.layer(l, Layer.ROUTER)).type());
                    var downs = values(target.required(gg.layer(l, Layer.EXPERT_DOWN), c.expertCount(), c.embeddingLength(), c.expertFeedForwardLength()));
                    int size = c.embeddingLength() * c.expertFeedForwardLength();
                    for (int e = 0; e < c.expertCount(); e++) {
                        var down = values(source.optional(hf.expert(l, e, ExpertMatrix.DOWN)));
                        for (int i = 0; i < size; i += 97) assertClose(down[i], downs[e * size + i], "expert " + e);
                    }
                }
                double worst = DeepSeek2ReferenceTest.largestLogitDifference(language, Reference.load(model, "f32"));
                System.out.printf(Locale.ROOT, "%s converted to Q8_0 (split layout) vs f32: largest last-logit difference %.3g%n", model, worst);
            }
        }
    }

    /**
     * The FP8 checkpoint (E4M3 with block scales) and V2-Lite convert to Q8_0 and Q4_K: matrices whose rows are whole
     * 256-blocks become Q4_K, the others Q4_0; every matrix reads back as its source within the type's rounding
     * (relative RMS error), and the file loads and runs. Last logits are bounded for Q8_0 only: on these tiny
     * random-weight MoE models 4-bit rounding flips routing decisions, which moves logits by more than rounding alone.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"tiny-deepseek-v3-fp8, fp8_weights, Q8_0, 3.0", "tiny-deepseek-v3-fp8, fp8_weights, Q4_K, NaN",
            "tiny-deepseek-v2-lite, f32, Q4_K, NaN"})
    void checkpointsConvertToQ8AndQ4K(String model, String variant, GgmlType type, double bound) throws Exception {
        var out = dir.resolve(model + "-" + type + ".gguf");
        try (var checkpoint = ModelFiles.open(Fixtures.model(model))) {
            var writer = new GgufWriter();
            checkpoint.architecture().planGgufFromCheckpoint(checkpoint.config(), checkpoint.tensors(), writer, type);
            writer.write(out, bytes -> { });
            var c = (DeepSeek2Config) checkpoint.config();
            try (var converted = ModelFiles.open(out); var language = LanguageModels.onCpu(converted, 2)) {
                assertEquals(c, converted.config());
                var gg = DeepSeek2TensorNames.GGUF;
                var target = converted.tensors();
                for (var t : target.byName().values()) {
                    if (t.shape().length < 2 || t.name().endsWith("ffn_gate_inp.weight")) continue;
                    var expected = type == GgmlType.Q8_0 ? (t.rowLength() % 32 == 0 ? GgmlType.Q8_0 : GgmlType.F16)
                            : t.rowLength() % 256 == 0 ? GgmlType.Q4_K : t.rowLength() % 32 == 0 ? GgmlType.Q4_0 : GgmlType.F16;
                    assertEquals(expected, t.type(), t.name());
                }
                assertEquals(GgmlType.F32, target.optional(gg.layer(1, Layer.ROUTER)).type());
                double allowed = type == GgmlType.Q8_0 ? 0.01 : 0.12;
                var hf = DeepSeek2TensorNames.HUGGING_FACE;
                for (int l = 0; l < c.layerCount(); l++) {
                    var names = c.hasQueryLora() ? new Layer[] {Layer.Q_A, Layer.Q_B, Layer.KV_A_MQA, Layer.ATTENTION_OUTPUT}
                            : new Layer[] {Layer.Q, Layer.KV_A_MQA, Layer.ATTENTION_OUTPUT};
                    for (var layer : names) {
                        var error = relativeRmsError(values(checkpoint.tensors().optional(hf.layer(l, layer))),
                                values(target.optional(gg.layer(l, layer))));
                        assertTrue(error < allowed, gg.layer(l, layer) + ": relative RMS error " + error + " in " + type);
                    }
                    if (!c.isMoeLayer(l)) continue;
                    var stacked = values(target.optional(gg.layer(l, Layer.EXPERT_UP)));
                    int size = c.expertFeedForwardLength() * c.embeddingLength();
                    for (int e = 0; e < c.expertCount(); e++) {
                        var source = values(checkpoint.tensors().optional(hf.expert(l, e, ExpertMatrix.UP)));
                        var error = relativeRmsError(source, java.util.Arrays.copyOfRange(stacked, e * size, (e + 1) * size));
                        assertTrue(error < allowed, "layer " + l + " expert " + e + ": relative RMS error " + error + " in " + type);
                    }
                }
                double worst = DeepSeek2ReferenceTest.largestLogitDifference(language, Reference.load(model, variant));
                System.out.printf(Locale.ROOT, "%s converted to %s vs %s: largest last-logit difference %.3g%n", model, type, variant, worst);
                if (!Double.isNaN(bound)) assertTrue(worst < bound, model + " " + type + ": largest last-logit difference " + worst);
            }
        }
    }

    private static double relativeRmsError(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double error = 0, norm = 0;
        for (int i = 0; i < expected.length; i++) {
            error += (expected[i] - actual[i]) * (double) (expected[i] - actual[i]);
            norm += expected[i] * (double) expected[i];
        }
        return Math.sqrt(error / norm);
    }

    /** Q8_0 rounds each value by at most half a step of its block's max/127; these weights stay below 1. */
    private static void assertClose(float expected, float actual, String what) {
        assertTrue(Math.abs(expected - actual) <= 1.0 / 254 + 1e-6, what + ": " + expected + " vs " + actual);
    }

    private static float[] values(Tensor t) {
        var out = new float[Math.toIntExact(t.elementCount())];
        if (FloatRows.isFloat(t.type()) && t.type() != GgmlType.F32) {
            var row = new float[(int) t.rowLength()];
            for (long r = 0; r < t.rowCount(); r++) {
                FloatRows.read(t, r, row);
                System.arraycopy(row, 0, out, (int) (r * row.length), row.length);
            }
            return out;
        }
        Dequantize.values(t.type(), t.data(), 0, out, 0, out.length);
        return out;
    }
}
