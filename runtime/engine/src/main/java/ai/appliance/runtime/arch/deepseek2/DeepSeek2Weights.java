package ai.appliance.runtime.arch.deepseek2;

import ai.appliance.runtime.model.ModelWeights;
import ai.appliance.runtime.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * Every weight of a DeepSeek-V2/V3 model. {@code output} is the same tensor as {@code tokenEmbedding} when the
 * embeddings are tied. {@code expertsPerToken} is how many routed experts a token reads per MoE layer (for
 * {@link #decodeBytesPerToken}).
 */
public record DeepSeek2Weights(Tensor tokenEmbedding, List<DeepSeek2LayerWeights> layers, Tensor outputNorm, Tensor output,
                               int expertsPerToken) implements ModelWeights {

    @Override
    public List<Tensor> matrices() {
        var all = new ArrayList<Tensor>();
        for (var l : layers) {
            for (var t : Arrays.asList(l.queryA(), l.queryB(), l.query(), l.kvAMqa(), l.kvB(), l.kB(), l.vB(),
                    l.attentionOutput(), l.gate(), l.up(), l.down(), l.router(), l.sharedGate(), l.sharedUp(), l.sharedDown())) {
                if (t != null) all.add(t);
            }
            all.addAll(l.expertTensors());
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
            all.addAll(Arrays.asList(l.attentionNorm(), l.queryA(), l.queryANorm(), l.queryB(), l.query(), l.kvAMqa(),
                    l.kvANorm(), l.kvB(), l.kB(), l.vB(), l.attentionOutput(), l.ffnNorm(), l.gate(), l.up(), l.down(),
                    l.router(), l.routerBias()));
            all.addAll(l.expertTensors());
            all.addAll(Arrays.asList(l.sharedGate(), l.sharedUp(), l.sharedDown()));
        }
        all.add(outputNorm);
        all.add(output);
        return all;
    }

    /**
     * Every tensor once, except the embedding table of which a step reads one row (unless the output shares it) and
     * the routed experts, of which a token reads {@code expertsPerToken} per layer.
     */
    @Override
    public long decodeBytesPerToken() {
        var routed = Collections.newSetFromMap(new IdentityHashMap<Tensor, Boolean>());
        long bytes = 0;
        for (var l : layers) {
            routed.addAll(l.expertTensors());
            if (!l.experts().isEmpty()) {
                var e = l.experts().getFirst();
                long perExpert = e.gate().data().byteSize() + e.up().data().byteSize() + e.down().data().byteSize();
                bytes += Math.min(expertsPerToken, l.experts().size()) * perExpert;
            }
        }
        boolean tied = output == tokenEmbedding;
        for (var t : tensors()) {
            if (routed.contains(t)) continue;
            bytes += t == tokenEmbedding && !tied ? t.data().byteSize() / t.rowCount() : t.data().byteSize();
        }
        return bytes;
    }
}
