package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.model.ModelFormatException;
import ai.appliance.runtime.arch.llama.LlamaTensorNames.Layer;
import ai.appliance.runtime.tensor.Tensor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.function.Function;

/**
 * Gathers a model's tensors by name into {@link LlamaWeights}, checking that each is present and
 * has the shape the config implies, so the engine can trust every dimension it reads.
 */
final class LlamaWeightsAssembler {
    private final Path file;
    private final LlamaConfig config;
    private final LlamaTensorNames naming;
    private final Function<String, Tensor> lookup;

    LlamaWeightsAssembler(Path file, LlamaConfig config, LlamaTensorNames naming, Function<String, Tensor> lookup) {
        this.file = file;
        this.config = config;
        this.naming = naming;
        this.lookup = lookup;
    }

    LlamaWeights assemble() {
        long hidden = config.embeddingLength();
        long qRows = (long) config.headCount() * config.headDimension();
        long kvRows = (long) config.keyValueHeadCount() * config.headDimension();
        long ffn = config.feedForwardLength();
        var embedding = required(naming.embedding(), config.vocabularySize(), hidden);
        var outputNorm = required(naming.outputNorm(), hidden);
        var output = config.tiedEmbeddings() ? embedding : required(naming.output(), config.vocabularySize(), hidden);
        var layers = new ArrayList<LlamaLayerWeights>(config.layerCount());
        boolean biasRequired = config.variant().hasQueryKeyValueBias();
        for (int i = 0; i < config.layerCount(); i++) {
            layers.add(new LlamaLayerWeights(
                    required(naming.layer(i, Layer.ATTENTION_NORM), hidden),
                    required(naming.layer(i, Layer.QUERY), qRows, hidden),
                    required(naming.layer(i, Layer.KEY), kvRows, hidden),
                    required(naming.layer(i, Layer.VALUE), kvRows, hidden),
                    bias(naming.layer(i, Layer.QUERY_BIAS), biasRequired, qRows),
                    bias(naming.layer(i, Layer.KEY_BIAS), biasRequired, kvRows),
                    bias(naming.layer(i, Layer.VALUE_BIAS), biasRequired, kvRows),
                    required(naming.layer(i, Layer.ATTENTION_OUTPUT), hidden, qRows),
                    required(naming.layer(i, Layer.FEED_FORWARD_NORM), hidden),
                    required(naming.layer(i, Layer.GATE), ffn, hidden),
                    required(naming.layer(i, Layer.UP), ffn, hidden),
                    required(naming.layer(i, Layer.DOWN), hidden, ffn)));
        }
        return new LlamaWeights(embedding, layers, outputNorm, output);
    }

    private Tensor bias(String name, boolean isRequired, long length) {
        if (isRequired) return required(name, length);
        var t = lookup.apply(name);
        return t == null ? null : checked(t, length);
    }

    private Tensor required(String name, long... shape) {
        var t = lookup.apply(name);
        if (t == null) throw new ModelFormatException(file, "tensor '" + name + "' is missing");
        return checked(t, shape);
    }

    private Tensor checked(Tensor t, long... shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFormatException(file, "tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape())
                    + " but the model's hyper-parameters need " + Arrays.toString(shape));
        }
        return t;
    }
}
