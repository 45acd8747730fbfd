package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.model.ModelWeights;
import ai.appliance.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * Every weight of a Llama or Qwen2 model. {@code output} is the same tensor as {@code tokenEmbedding} when the
 * embeddings are tied.
 */
public record LlamaWeights(Tensor tokenEmbedding, List<LlamaLayerWeights> layers, Tensor outputNorm, Tensor output)
        implements ModelWeights {

    @Override
    public List<Tensor> matrices() {
        var all = new ArrayList<Tensor>();
        for (var layer : layers) {
            all.addAll(List.of(layer.query(), layer.key(), layer.value(), layer.attentionOutput(), layer.gate(), layer.up(), layer.down()));
        }
        all.add(output);
        return all;
    }

    @Override
    public List<Tensor> tensors() {
        return ModelWeights.distinct(candidates());
    }

    private List<Tensor> candidates() {
        var all = new ArrayList<Tensor>();
        all.add(tokenEmbedding);
        for (var l : layers) {
            all.addAll(java.util.Arrays.asList(l.attentionNorm(), l.query(), l.key(), l.value(), l.queryBias(), l.keyBias(),
                    l.valueBias(), l.attentionOutput(), l.feedForwardNorm(), l.gate(), l.up(), l.down()));
        }
        all.add(outputNorm);
        all.add(output);
        return all;
    }

    /** Every tensor once, except the embedding table of which a step reads one row (unless the output shares it). */
    @Override
    public long decodeBytesPerToken() {
        long bytes = 0;
        boolean tied = output == tokenEmbedding;
        for (var t : tensors()) {
            bytes += t == tokenEmbedding && !tied ? t.data().byteSize() / t.rowCount() : t.data().byteSize();
        }
        return bytes;
    }
}
