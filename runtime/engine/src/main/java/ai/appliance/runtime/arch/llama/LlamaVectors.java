package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.kernels.Dequantize;
import ai.appliance.runtime.tensor.Tensor;
import java.util.Arrays;

/**
 * Checks every weight's shape against the config (a wrong file fails at load, naming the
 * tensor, not with an index error mid-generation) and holds the small vectors (norms, biases)
 * decoded to F32 once.
 */
record LlamaVectors(float[][] attentionNorms, float[][] feedForwardNorms, float[] outputNorm,
                          float[][] queryBiases, float[][] keyBiases, float[][] valueBiases) {

    float[] attentionNorm(int l) { return attentionNorms[l]; }
    float[] feedForwardNorm(int l) { return feedForwardNorms[l]; }
    float[] queryBias(int l) { return queryBiases[l]; }
    float[] keyBias(int l) { return keyBiases[l]; }
    float[] valueBias(int l) { return valueBiases[l]; }

    static LlamaVectors check(LlamaConfig c, LlamaWeights w) {
        int dim = c.embeddingLength();
        int qWidth = c.headCount() * c.headDimension();
        int kvWidth = c.keyValueHeadCount() * c.headDimension();
        if (c.keyValueHeadCount() < 1 || c.headCount() % c.keyValueHeadCount() != 0) {
            throw new IllegalArgumentException("attention heads (" + c.headCount() + ") must be a multiple of key-value heads ("
                    + c.keyValueHeadCount() + ")");
        }
        if (w.layers().size() != c.layerCount()) {
            throw new IllegalArgumentException("the config has " + c.layerCount() + " layers but the weights hold " + w.layers().size());
        }
        expect(w.tokenEmbedding(), c.vocabularySize(), dim);
        expect(w.output(), c.vocabularySize(), dim);
        int layers = c.layerCount();
        var attentionNorms = new float[layers][];
        var feedForwardNorms = new float[layers][];
        var queryBiases = new float[layers][];
        var keyBiases = new float[layers][];
        var valueBiases = new float[layers][];
        for (int l = 0; l < layers; l++) {
            var layer = w.layers().get(l);
            expect(layer.query(), qWidth, dim);
            expect(layer.key(), kvWidth, dim);
            expect(layer.value(), kvWidth, dim);
            expect(layer.attentionOutput(), dim, qWidth);
            expect(layer.gate(), c.feedForwardLength(), dim);
            expect(layer.up(), c.feedForwardLength(), dim);
            expect(layer.down(), dim, c.feedForwardLength());
            attentionNorms[l] = vector(layer.attentionNorm(), dim);
            feedForwardNorms[l] = vector(layer.feedForwardNorm(), dim);
            boolean biased = layer.queryBias() != null || layer.keyBias() != null || layer.valueBias() != null;
            if (biased) {
                if (layer.queryBias() == null || layer.keyBias() == null || layer.valueBias() == null) {
                    throw new IllegalArgumentException("layer " + l + " has only some of the q/k/v biases");
                }
                queryBiases[l] = vector(layer.queryBias(), qWidth);
                keyBiases[l] = vector(layer.keyBias(), kvWidth);
                valueBiases[l] = vector(layer.valueBias(), kvWidth);
            }
        }
        return new LlamaVectors(attentionNorms, feedForwardNorms, vector(w.outputNorm(), dim),
                queryBiases, keyBiases, valueBiases);
    }

    private static void expect(Tensor t, long rows, long columns) {
        if (t == null) throw new IllegalArgumentException("a weight of shape [" + rows + ", " + columns + "] is missing");
        if (t.shape().length != 2 || t.shape()[0] != rows || t.shape()[1] != columns) {
            throw new IllegalArgumentException("tensor " + t.name() + " has shape " + Arrays.toString(t.shape())
                    + "; the config needs [" + rows + ", " + columns + "]");
        }
        long needed = rows * t.type().bytesFor(columns);
        if (t.data().byteSize() < needed) {
            throw new IllegalArgumentException("tensor " + t.name() + " holds " + t.data().byteSize() + " bytes; "
                    + t.type() + " " + Arrays.toString(t.shape()) + " needs " + needed);
        }
    }

    private static float[] vector(Tensor t, int length) {
        if (t == null) throw new IllegalArgumentException("a vector of " + length + " values is missing");
        if (t.elementCount() != length) {
            throw new IllegalArgumentException("tensor " + t.name() + " has shape " + Arrays.toString(t.shape())
                    + "; the config needs " + length + " values");
        }
        var out = new float[length];
        Dequantize.values(t.type(), t.data(), 0, out, 0, length);
        return out;
    }
}
