package ai.appliance.runtime.arch.llama;

import ai.appliance.runtime.tensor.Tensor;

/** Weights of one transformer block. Biases are null for architectures without them. */
public record LlamaLayerWeights(
        Tensor attentionNorm,
        Tensor query, Tensor key, Tensor value,
        Tensor queryBias, Tensor keyBias, Tensor valueBias,
        Tensor attentionOutput,
        Tensor feedForwardNorm,
        Tensor gate, Tensor up, Tensor down) {
}
