package ai.appliance.runtime.arch.deepseek2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.appliance.runtime.arch.deepseek2.DeepSeek2TensorNames.ExpertMatrix;
import ai.appliance.runtime.arch.deepseek2.DeepSeek2TensorNames.Layer;
import ai.appliance.runtime.loading.LanguageModels;
import ai.appliance.runtime.loading.ModelFiles;
import ai.appliance.runtime.model.ModelTensors;
import ai.appliance.runtime.quantize.FloatRows;
import ai.appliance.runtime.testing.Fixtures;
import ai.appliance.runtime.testing.Reference;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine's absorbed attention over the compressed cache against a plain float64 forward pass that decompresses
 * every position into full per-head keys {@code [W_kb·c_kv | rope(k_rope)]} and values {@code W_vb·c_kv} (the textbook
 * MLA formulation), for the prompt processed at once and token by token through the cache.
 */
class DeepSeek2NaiveAttentionTest {
    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @ValueSource(strings = {"tiny-deepseek-v3", "tiny-deepseek-v2-lite"})
    void absorbedAttentionEqualsDecompressedKeysAndValues(String model) {
        var reference = Reference.load(model, "f32");
        try (var files = ModelFiles.open(Fixtures.model(model)); var language = LanguageModels.onCpu(files, 2)) {
            var naive = new NaiveForward((DeepSeek2Config) files.config(), files.tensors());
            double worstPrompt = 0;
            double worstDecode = 0;
            for (var prompt : reference.prompts()) {
                int[] ids = prompt.inputIds();
                double[] expected = naive.lastLogits(ids);
                try (var sequence = language.newSequence(ids.length)) {
                    var logits = language.forward(List.of(sequence), List.of(ids))[0];
                    worstPrompt = Math.max(worstPrompt, largestDifference(expected, logits));
                }
                // The same tokens through the cache: most at once, then one at a time.
                int split = Math.max(1, ids.length - 3);
                try (var sequence = language.newSequence(ids.length)) {
                    var logits = language.forward(List.of(sequence), List.of(Arrays.copyOf(ids, split)))[0];
                    for (int i = split; i < ids.length; i++) logits = language.forward(List.of(sequence), List.of(new int[] {ids[i]}))[0];
                    worstDecode = Math.max(worstDecode, largestDifference(expected, logits));
                }
            }
            System.out.printf(Locale.ROOT, "%s absorbed vs decompressed MLA (float64): prompt %.3g, decode %.3g%n", model, worstPrompt, worstDecode);
            assertTrue(worstPrompt <= TOLERANCE, "prompt: largest logit difference " + worstPrompt);
            assertTrue(worstDecode <= TOLERANCE, "decode: largest logit difference " + worstDecode);
        }
    }

    private static double largestDifference(double[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        return worst;
    }

    /** A float64 forward pass of a checkpoint with the keys and values decompressed per head, written for clarity. */
    static final class NaiveForward {
        private final DeepSeek2Config c;
        private final ModelTensors tensors;
        private final DeepSeek2TensorNames names = DeepSeek2TensorNames.HUGGING_FACE;
        private final float[] frequencies;

        NaiveForward(DeepSeek2Config config, ModelTensors tensors) {
            this.c = config;
            this.tensors = tensors;
            this.frequencies = c.yarn() == null ? ai.appliance.runtime.kernels.Rope.plainFrequencies(c.qkRopeHeadDim(), c.ropeTheta())
                    : c.yarn().inverseFrequencies(c.qkRopeHeadDim(), c.ropeTheta());
        }

        private final java.util.Map<String, double[][]> cache = new java.util.HashMap<>();

        private double[][] matrix(String name) {
            return cache.computeIfAbsent(name, this::read);
        }

        private double[][] read(String name) {
            var t = tensors.optional(name);
            if (t == null) throw new IllegalStateException("no tensor " + name);
            int rows = (int) t.rowCount();
            var row = new float[(int) t.rowLength()];
            var out = new double[rows][];
            for (int r = 0; r < rows; r++) {
                FloatRows.read(t, r, row);
                out[r] = new double[row.length];
                for (int i = 0; i < row.length; i++) out[r][i] = row[i];
            }
            return out;
        }

        private double[] vector(String name) {
            return matrix(name)[0];
        }

        private static double[] mul(double[][] w, double[] x) {
            var y = new double[w.length];
            for (int r = 0; r < w.length; r++) {
                double s = 0;
                for (int i = 0; i < x.length; i++) s += w[r][i] * x[i];
                y[r] = s;
            }
            return y;
        }

        private double[] rmsNorm(double[] x, double[] weight) {
            double ss = 0;
            for (double v : x) ss += v * v;
            double scale = 1 / Math.sqrt(ss / x.length + c.rmsNormEpsilon());
            var out = new double[x.length];
            for (int i = 0; i < x.length; i++) out[i] = weight[i] * x[i] * scale;
            return out;
        }

        /** Adjacent-pair rotation of {@code n} values from {@code offset}, in place. */
        private void rope(double[] x, int offset, int position) {
            double amplitude = c.yarn() == null ? 1 : c.yarn().ropeAmplitude();
            for (int i = 0; i < frequencies.length; i++) {
                double angle = position * (double) frequencies[i];
                double a = x[offset + 2 * i];
                double b = x[offset + 2 * i + 1];
                x[offset + 2 * i] = (a * Math.cos(angle) - b * Math.sin(angle)) * amplitude;
                x[offset + 2 * i + 1] = (a * Math.sin(angle) + b * Math.cos(angle)) * amplitude;
            }
        }

        private static double[] swiGlu(double[][] gate, double[][] up, double[][] down, double[] x) {
            var g = mul(gate, x);
            var u = mul(up, x);
            for (int i = 0; i < g.length; i++) g[i] = g[i] / (1 + Math.exp(-g[i])) * u[i];
            return mul(down, g);
        }

        double[] lastLogits(int[] ids) {
            int tokens = ids.length;
            int heads = c.headCount();
            int nope = c.qkNopeHeadDim();
            int ropeDims = c.qkRopeHeadDim();
            int v = c.valueHeadDim();
            int rank = c.kvLoraRank();
            int qhd = c.queryHeadDim();
            var embedding = matrix(names.embedding());
            var x = new double[tokens][];
            for (int t = 0; t < tokens; t++) x[t] = embedding[ids[t]].clone();
            for (int l = 0; l < c.layerCount(); l++) {
                var attentionNorm = vector(names.layer(l, Layer.ATTENTION_NORM));
                var kvA = matrix(names.layer(l, Layer.KV_A_MQA));
                var kvNorm = vector(names.layer(l, Layer.KV_A_NORM));
                var kvB = matrix(names.layer(l, Layer.KV_B));
                var o = matrix(names.layer(l, Layer.ATTENTION_OUTPUT));
                var queries = new double[tokens][];
                var keys = new double[tokens][heads][qhd];
                var values = new double[tokens][heads][v];
                for (int t = 0; t < tokens; t++) {
                    var h = rmsNorm(x[t], attentionNorm);
                    queries[t] = c.hasQueryLora()
                            ? mul(matrix(names.layer(l, Layer.Q_B)), rmsNorm(mul(matrix(names.layer(l, Layer.Q_A)), h), vector(names.layer(l, Layer.Q_A_NORM))))
                            : mul(matrix(names.layer(l, Layer.Q)), h);
                    for (int head = 0; head < heads; head++) rope(queries[t], head * qhd + nope, t);
                    var compressed = mul(kvA, h);
                    var latent = rmsNorm(Arrays.copyOf(compressed, rank), kvNorm);
                    var rotary = Arrays.copyOfRange(compressed, rank, rank + ropeDims);
                    rope(rotary, 0, t);
                    var decompressed = mul(kvB, latent); // per head [k_nope | v]
                    for (int head = 0; head < heads; head++) {
                        System.arraycopy(decompressed, head * (nope + v), keys[t][head], 0, nope);
                        System.arraycopy(rotary, 0, keys[t][head], nope, ropeDims);
                        System.arraycopy(decompressed, head * (nope + v) + nope, values[t][head], 0, v);
                    }
                }
                var attended = new double[tokens][heads * v];
                for (int t = 0; t < tokens; t++) {
                    for (int head = 0; head < heads; head++) {
                        var scores = new double[t + 1];
                        double max = Double.NEGATIVE_INFINITY;
                        for (int s = 0; s <= t; s++) {
                            double dot = 0;
                            for (int i = 0; i < qhd; i++) dot += queries[t][head * qhd + i] * keys[s][head][i];
                            scores[s] = dot * c.softmaxScale();
                            max = Math.max(max, scores[s]);
                        }
                        double sum = 0;
                        for (int s = 0; s <= t; s++) sum += scores[s] = Math.exp(scores[s] - max);
                        for (int s = 0; s <= t; s++) {
                            for (int j = 0; j < v; j++) attended[t][head * v + j] += scores[s] / sum * values[s][head][j];
                        }
                    }
                }
                var ffnNorm = vector(names.layer(l, Layer.FFN_NORM));
                for (int t = 0; t < tokens; t++) {
                    var projected = mul(o, attended[t]);
                    for (int i = 0; i < projected.length; i++) x[t][i] += projected[i];
                    var h = rmsNorm(x[t], ffnNorm);
                    var y = c.isMoeLayer(l) ? moe(l, h)
                            : swiGlu(matrix(names.layer(l, Layer.GATE)), matrix(names.layer(l, Layer.UP)), matrix(names.layer(l, Layer.DOWN)), h);
                    for (int i = 0; i < y.length; i++) x[t][i] += y[i];
                }
            }
            return mul(matrix(names.output()), rmsNorm(x[tokens - 1], vector(names.outputNorm())));
        }

        private double[] moe(int l, double[] h) {
            var logits = mul(matrix(names.layer(l, Layer.ROUTER)), h);
            var logits32 = new float[logits.length];
            for (int i = 0; i < logits.length; i++) logits32[i] = (float) logits[i];
            float[] bias = null;
            if (c.selection() == DeepSeek2Config.Selection.NOAUX_TC) {
                var b = vector(names.layer(l, Layer.ROUTER_BIAS));
                bias = new float[b.length];
                for (int i = 0; i < b.length; i++) bias[i] = (float) b[i];
            }
            int k = c.expertsPerToken();
            var chosen = new int[k];
            var weights = new float[k];
            DeepSeek2Router.of(c).route(logits32, 0, bias, chosen, weights, 0);
            var y = c.sharedExpertCount() > 0
                    ? swiGlu(matrix(names.layer(l, Layer.SHARED_GATE)), matrix(names.layer(l, Layer.SHARED_UP)), matrix(names.layer(l, Layer.SHARED_DOWN)), h)
                    : new double[h.length];
            for (int j = 0; j < k; j++) {
                var e = swiGlu(matrix(names.expert(l, chosen[j], ExpertMatrix.GATE)), matrix(names.expert(l, chosen[j], ExpertMatrix.UP)),
                        matrix(names.expert(l, chosen[j], ExpertMatrix.DOWN)), h);
                for (int i = 0; i < y.length; i++) y[i] += weights[j] * e[i];
            }
            return y;
        }
    }
}
