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
